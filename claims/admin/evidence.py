"""Evidence: the curation form, moderation (submit, accept, reject) and the queues.

Every write goes through claims.curation, so the rules that hold in the API hold
here: a curator edits only their own drafts, only editors accept or reject.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from claims import curation
from claims.admin.forms import EvidenceForm
from claims.admin.writes import ServiceAdmin
from claims.facets import EVIDENCE_FACETS
from claims.models import Evidence

CONTEXT_FIELDS = (
    ("msc_source", "species"),
    ("model", "immune_status"),
    ("delivery", "msc_tumor_ratio"),
    "cancer_types",
    "not_reported",
)
# Many-to-many fields: set by the curation services with the record (as one
# version in its history), read from the form, not from the unsaved record.
TRANSITIONS = {
    "submit": curation.evidence_submit,
    "accept": curation.evidence_accept,
    "reject": curation.evidence_reject,
}
QUOTE_LABELS = {
    curation.QuoteStatus.VERIFIED: "Verified: found in the abstract",
    curation.QuoteStatus.NOT_FOUND: "Not found in the abstract",
    curation.QuoteStatus.UNVERIFIABLE: "Cannot check yet: the abstract is missing",
    curation.QuoteStatus.NONE: "No quote",
}


class QueueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [
            ("awaiting", "Submitted, awaiting review"),
            ("rereview", "Needs re-review (paper changed)"),
            ("mine", "My drafts"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            return queryset.filter(status=Evidence.Status.SUBMITTED)
        if self.value() == "rereview":
            return queryset.filter(needs_rereview=True)
        if self.value() == "mine":
            return queryset.filter(
                created_by=request.user, status=Evidence.Status.DRAFT
            )
        return queryset


class ModerationForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        required=False,
        help_text="Required to reject; kept with the evidence and in its history.",
    )


@admin.register(Evidence)
class EvidenceAdmin(ServiceAdmin):
    form = EvidenceForm
    service_fields = curation.EDITABLE_FIELDS
    change_form_template = "admin/claims/evidence/change_form.html"
    # What a queue is worked by, in a list that fits a 1440 px screen
    # (static/admin-lists.css); the context and the rating are on the form.
    list_display = (
        "publication",
        "claim",
        "stance",
        "effect",
        "level",
        "status",
        "needs_rereview",
        "people",
    )
    list_filter = (
        QueueFilter,
        "status",
        "needs_rereview",
        *(
            (f.field, admin.RelatedOnlyFieldListFilter) if f.multiple else f.field
            for f in EVIDENCE_FACETS
        ),
        "claim__topic",
    )
    search_fields = (
        "finding",
        "quote",
        "cancer_types__label",
        "claim__statement",
        "=publication__pmid",
    )
    autocomplete_fields = ("claim", "publication", "cancer_types")
    list_select_related = (
        "publication",
        "claim",
        "created_by",
        "submitted_by",
        "reviewed_by",
    )
    readonly_fields = (
        "status",
        "quote_check",
        "duplicates",
        "created_by",
        "submitted_by",
        "reviewed_by",
        "review_reason",
        "needs_rereview",
        "rereview_reason",
        "source_key",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("claim", "publication", "duplicates")}),
        (
            "Finding",
            {
                "fields": (
                    ("stance", "effect", "level", "rating"),
                    "finding",
                    "quote",
                    "quote_check",
                )
            },
        ),
        ("Context", {"fields": CONTEXT_FIELDS}),
        ("Why", {"fields": ("change_reason",)}),
        (
            "Workflow",
            {
                "fields": (
                    "status",
                    ("created_by", "submitted_by", "reviewed_by"),
                    "review_reason",
                    ("needs_rereview", "rereview_reason"),
                    "source_key",
                    ("created_at", "updated_at"),
                )
            },
        ),
    )
    actions = ("submit_selected", "accept_selected")

    class Media:
        css = {"all": ["admin-lists.css"]}

    @admin.display(description="created, submitted, reviewed by")
    def people(self, obj: Evidence) -> str:
        users = (obj.created_by, obj.submitted_by, obj.reviewed_by)
        return " / ".join(user.get_username() if user else "—" for user in users)

    @admin.display(description="quote check")
    def quote_check(self, obj: Evidence) -> str:
        if obj.pk is None:
            return "Checked against the abstract when saved."
        status = curation.quote_status(
            quote=obj.quote, abstract=obj.publication.abstract
        )
        return QUOTE_LABELS[status]

    @admin.display(description="same claim, paper and stance")
    def duplicates(self, obj: Evidence) -> str:
        if obj.pk is None:
            return "Checked when saved."
        same = curation.evidence_duplicates(
            claim=obj.claim,
            publication=obj.publication,
            stance=obj.stance,
            exclude_pk=obj.pk,
        )
        if not same.exists():
            return "None"
        links = format_html_join(
            ", ",
            '<a href="{}">#{}</a>',
            (
                (reverse("admin:claims_evidence_change", args=[e.pk]), e.pk)
                for e in same
            ),
        )
        return format_html("Possible duplicates: {}", links)

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or curation.can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and curation.is_editor(
            request.user
        )

    def delete_model(self, request, obj):
        curation.evidence_delete(evidence=[obj], by=request.user)

    def delete_queryset(self, request, queryset):
        curation.evidence_delete(evidence=queryset, by=request.user)

    def service_create(self, request, fields, reason):
        return curation.evidence_create(by=request.user, reason=reason, **fields)

    def service_update(self, request, stored, fields, reason):
        return curation.evidence_update(
            evidence=stored, by=request.user, reason=reason, **fields
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._warn(request, obj)

    def _warn(self, request, evidence: Evidence) -> None:
        """Tell the curator about duplicates and a quote the abstract lacks."""
        duplicates = curation.evidence_duplicates(
            claim=evidence.claim,
            publication=evidence.publication,
            stance=evidence.stance,
            exclude_pk=evidence.pk,
        )
        if duplicates.exists():
            self.message_user(
                request,
                "The same claim, paper and stance is already recorded; check the "
                "duplicates listed on this evidence.",
                messages.WARNING,
            )
        quote = curation.quote_status(
            quote=evidence.quote, abstract=evidence.publication.abstract
        )
        if quote == curation.QuoteStatus.NOT_FOUND:
            self.message_user(
                request,
                "The quote was not found in the paper's abstract.",
                messages.WARNING,
            )

    # -- moderation ---------------------------------------------------------------

    def get_urls(self):
        moderate = path(
            "<int:object_id>/moderate/<str:transition>/",
            self.admin_site.admin_view(self.moderate_view),
            name="claims_evidence_moderate",
        )
        return [moderate, *super().get_urls()]

    def moderate_view(self, request, object_id: int, transition: str):
        """Confirm a submit, accept or reject, with the reason."""
        evidence = get_object_or_404(Evidence, pk=object_id)
        if not self._may_moderate(request, evidence, transition):
            raise PermissionDenied
        form = ModerationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            self._apply(request, [evidence], transition, form.cleaned_data["reason"])
            return redirect(reverse("admin:claims_evidence_change", args=[evidence.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": evidence,
            "form": form,
            "transition": transition,
            "title": f"{transition.capitalize()} evidence",
        }
        return TemplateResponse(request, "admin/claims/evidence/moderate.html", context)

    def _may_moderate(self, request, evidence: Evidence, transition: str) -> bool:
        """Who may see the confirmation page: who may see the record and then
        apply the transition (the service checks again when it is posted)."""
        if transition not in TRANSITIONS:
            return False
        if not self.has_view_permission(request, evidence):
            return False
        if transition == "submit":
            own = evidence.created_by_id == request.user.pk
            return own or self.has_moderate_permission(request)
        return self.has_moderate_permission(request)

    def _apply(self, request, evidence_list, transition: str, reason: str = "") -> None:
        service = TRANSITIONS[transition]
        extra = {} if transition == "submit" else {"reason": reason}
        done = 0
        for evidence in evidence_list:
            try:
                service(evidence=evidence, by=request.user, **extra)
                done += 1
            except (PermissionDenied, ValidationError) as exc:
                message = "; ".join(getattr(exc, "messages", [str(exc)]))
                self.message_user(request, f"#{evidence.pk}: {message}", messages.ERROR)
        if done:
            self.message_user(
                request, f"{transition.capitalize()}: {done} done.", messages.SUCCESS
            )

    @admin.action(description="Submit selected drafts for review")
    def submit_selected(self, request, queryset):
        self._apply(request, queryset, "submit")

    @admin.action(
        description="Accept selected submitted evidence", permissions=["moderate"]
    )
    def accept_selected(self, request, queryset):
        self._apply(request, queryset, "accept")

    def has_moderate_permission(self, request) -> bool:
        return curation.is_editor(request.user)
