"""Who may read and write what through the API.

Anyone reads. A write needs an authenticated user (401 otherwise) holding the
role the action needs (403 otherwise): Curator or Editor to add papers and to
record, edit and submit evidence, Editor to accept or reject. The curation
services check again, with the finer rules (a curator edits only their own
drafts), so nothing here is the only guard.
"""

from django.db.models import Q, QuerySet
from rest_framework.permissions import SAFE_METHODS, BasePermission

from claims.curation import is_editor
from claims.models import Evidence


class ReadOrRole(BasePermission):
    """Reads are public; each write action needs the permission the view names.

    Views list them in `write_permissions`, action name -> permission.
    """

    # Anyone may read: the schema says so (claims.api.schema).
    public_reads = True
    message = (
        "Your account lacks the role this needs: Curator or Editor to add papers "
        "and record evidence, Editor to accept or reject it."
    )

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        action = getattr(view, "action", None)
        if action is None:
            return True  # a method the endpoint lacks: it answers 405 to anyone
        if not (request.user and request.user.is_authenticated):
            return False
        needed = getattr(view, "write_permissions", {}).get(action)
        return needed is not None and request.user.has_perm(needed)


def visible_evidence(user) -> QuerySet:
    """Accepted evidence for everyone, plus a curator's own; editors read all."""
    evidence = Evidence.objects.all()
    if user.is_authenticated and is_editor(user):
        return evidence
    if user.is_authenticated and user.has_perm("claims.add_evidence"):
        return evidence.filter(Q(status=Evidence.Status.ACCEPTED) | Q(created_by=user))
    return evidence.accepted()
