"""Admin writes through the services, history revert included.

A change form and a past version opened from a record's History page fill the
same form, and saving either is an ordinary edit: the form's curated fields go
to the model's service, applied to the record as it is stored now. So a revert
never restores workflow or bookkeeping fields (an evidence record's status and
reviewers, a claim's verdict, a paper's PMID and what PubMed owns), the rules of
who may edit what hold for it as for any edit, and the service recomputes the
verdicts the change moves.
"""

from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

REVERT_NOTE = (
    "Reverting restores what curators wrote in this version. The workflow "
    "(status, who created, submitted and reviewed it), PubMed's fields and the "
    "claim's verdict stay as they are now; the verdict is recomputed."
)


class ReadableHistory(HistoricalRecordContextHelper):
    """A History page's changes in words: users by name, choices by label, and
    an empty reference as a dash (not "Deleted user (pk=None)")."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if isinstance(value, DeletedObject):
            return "—" if value.pk is None else str(value)
        if getattr(value, "get_username", None):
            return value.get_full_name() or value.get_username()
        if field.choices and not field.many_to_many:
            return dict(field.flatchoices).get(value, value)
        return value


class ServiceAdmin(SimpleHistoryAdmin):
    """A ModelAdmin whose add, change and revert call a service."""

    # The fields the services take; a form's other fields are never saved.
    service_fields: frozenset[str] = frozenset()

    def service_create(
        self, request, fields: dict[str, Any], reason: str
    ) -> models.Model:
        raise NotImplementedError

    def service_update(
        self, request, stored: models.Model, fields: dict[str, Any], reason: str
    ) -> models.Model:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason") or ""
        fields = {
            name: form.cleaned_data[name]
            for name in form.fields
            if name in self.service_fields
        }
        try:
            if change:
                # The stored record, not the form's object: on a revert that is
                # the past version, workflow and verdict fields included.
                stored = self.model.objects.get(pk=obj.pk)
                changed = {k: v for k, v in fields.items() if _differs(stored, k, v)}
                saved = self.service_update(request, stored, changed, reason)
            else:
                saved = self.service_create(request, fields, reason)
        except (PermissionDenied, ValidationError) as exc:
            message = "; ".join(getattr(exc, "messages", [str(exc)]))
            raise PermissionDenied(message) from exc
        # The admin goes on with its own object (the log entry, the redirect).
        vars(obj).update(vars(saved))

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableHistory(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A past version in the change form, for who may change the record now;
        everyone else may read the History page, never open or post a revert."""
        stored = self.get_object(request, unquote(object_id))
        if stored is None:
            raise Http404("A deleted record cannot be reverted.")
        if not self.has_change_permission(request, stored):
            raise PermissionDenied
        if request.method == "GET":
            self.message_user(request, REVERT_NOTE, messages.INFO)
        return super().history_form_view(request, object_id, version_id, extra_context)


def _differs(stored: models.Model, name: str, value: Any) -> bool:
    """Whether a form's value differs from the stored record's; a many-to-many
    field as the set of records it holds now (a revert's form starts from the
    version's)."""
    if stored._meta.get_field(name).many_to_many:
        return set(getattr(stored, name).all()) != set(value)
    return getattr(stored, name) != value
