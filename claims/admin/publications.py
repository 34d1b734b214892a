"""Publications: add by PMID (one or many pasted), watch metadata arrive, refresh."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from claims import curation
from claims.admin.writes import ServiceAdmin
from claims.literature import citations, tasks
from claims.models import PUBMED_FIELDS, Publication, RefreshRun


class CurationFilter(admin.SimpleListFilter):
    title = "curation"
    parameter_name = "curation"

    def lookups(self, request, model_admin):
        return [("uncurated", "Added, no evidence yet"), ("curated", "Has evidence")]

    def queryset(self, request, queryset):
        if self.value() == "uncurated":
            return queryset.filter(evidence__isnull=True, as_review__isnull=True)
        if self.value() == "curated":
            return queryset.filter(evidence__isnull=False).distinct()
        return queryset


class PastePmidsForm(forms.Form):
    pmids = forms.CharField(
        label="PMIDs",
        widget=forms.Textarea(attrs={"rows": 8, "cols": 40}),
        help_text="Paste one or many PMIDs, separated by spaces, commas or new "
        "lines. Bad entries are reported; the good ones are added.",
    )


class CorrectPmidForm(forms.Form):
    pmid = forms.IntegerField(
        label="Right PMID",
        min_value=1,
        help_text="The paper the evidence is really from; added and fetched if new.",
    )


@admin.register(Publication)
class PublicationAdmin(ServiceAdmin):
    # The PMID only when adding: another PMID is another paper.
    service_fields = frozenset({"pmid", *curation.PUBLICATION_FIELDS})
    # Fits a 1440 px screen (static/admin-lists.css); the journal and the
    # verification are on the form and in the filters.
    list_display = (
        "pmid",
        "first_author",
        "year",
        "short_title",
        "metadata_state",
        "is_retracted",
        "needs_review",
    )
    list_filter = (
        CurationFilter,
        "metadata_state",
        "verification",
        "is_retracted",
        "needs_review",
        "year",
    )
    search_fields = ("^pmid", "title", "first_author", "journal", "doi")
    # PubMed owns the bibliographic fields: curators change only their own.
    readonly_fields = (*PUBMED_FIELDS, "verification", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("pmid", "title", "curated_title", "verification")}),
        (
            "Citation",
            {
                "fields": (
                    "title_html",
                    "first_author",
                    "authors",
                    ("journal", "journal_iso"),
                    ("issn", "language", "is_book"),
                    ("volume", "issue", "pages"),
                    ("pub_date", "year"),
                    ("doi", "pmcid"),
                    "abstract",
                    "abstract_sections",
                    "mesh_terms",
                    "publication_types",
                    ("date_revised", "medline_status"),
                )
            },
        ),
        (
            "Integrity",
            {
                "fields": (
                    ("is_retracted", "retraction_notice_pmid"),
                    "erratum_pmids",
                    "expression_of_concern_pmids",
                    "superseded_by_pmid",
                    ("needs_review", "review_note"),
                )
            },
        ),
        (
            "Metadata refresh",
            {
                "fields": (
                    "metadata_state",
                    "fetched_at",
                    "last_error",
                    "record_hash",
                    ("created_at", "updated_at"),
                )
            },
        ),
    )

    actions = ("refresh_from_pubmed", "correct_pmid")

    class Media:
        css = {"all": ["admin-lists.css"]}

    change_list_template = "admin/claims/publication/change_list.html"

    def get_urls(self):
        paste = path(
            "add-pmids/",
            self.admin_site.admin_view(self.paste_pmids_view),
            name="claims_publication_paste",
        )
        correct = path(
            "<int:object_id>/correct-pmid/",
            self.admin_site.admin_view(self.correct_pmid_view),
            name="claims_publication_correct_pmid",
        )
        return [paste, correct, *super().get_urls()]

    def paste_pmids_view(self, request):
        """Add many publications at once from pasted PMIDs."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PastePmidsForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            good, bad = citations.pmids_parse(form.cleaned_data["pmids"])
            added = tasks.publications_add(pmids=good) if good else []
            self._report_paste(request, added, bad)
            return redirect(reverse("admin:claims_publication_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Add publications by PMID",
        }
        return TemplateResponse(request, "admin/claims/publication/paste.html", context)

    def _report_paste(self, request, added, bad) -> None:
        # Read again: the fetch is queued after commit, once `added` was read.
        unqueued = list(
            Publication.objects.filter(
                pk__in=[p.pk for p in added],
                last_error__startswith=tasks.NOT_QUEUED,
            ).values_list("pmid", flat=True)
        )
        if added:
            pmids = ", ".join(str(p.pmid) for p in added)
            fetching = "" if unqueued else " New ones are being fetched from PubMed."
            self.message_user(
                request,
                f"{len(added)} publication(s) added or already present: {pmids}."
                + fetching,
                messages.SUCCESS,
            )
        if unqueued:
            self.message_user(
                request,
                f"The PubMed fetch could not be queued for {len(unqueued)} "
                f"publication(s): {', '.join(map(str, unqueued))}. The task broker "
                "is unavailable; they stay pending and the nightly refresh "
                "fetches them.",
                messages.ERROR,
            )
        if bad:
            self.message_user(
                request,
                f"Not PMIDs, skipped: {', '.join(bad)}",
                messages.WARNING,
            )

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if obj is None else ("pmid", *readonly)

    def service_create(self, request, fields, reason):
        # A curator types only a PMID; PubMed fills in the rest after commit.
        pmid = fields.pop("pmid")
        (added,) = tasks.publications_add(
            pmids=[pmid], trigger=RefreshRun.Trigger.ADMIN
        )
        return self.service_update(request, added, fields, reason or "Created")

    def service_update(self, request, stored, fields, reason):
        return curation.publication_update(
            publication=stored, by=request.user, reason=reason, **fields
        )

    @admin.action(description="Refresh metadata from PubMed")
    def refresh_from_pubmed(self, request, queryset):
        pmids = list(queryset.values_list("pmid", flat=True))
        run = tasks.refresh_plan(pmids=pmids, trigger=RefreshRun.Trigger.ADMIN)
        self.message_user(
            request,
            f"Queued {len(pmids)} publication(s) for refresh (run {run.pk}).",
            messages.SUCCESS,
        )

    @admin.action(description="Correct the PMID", permissions=["correct"])
    def correct_pmid(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, "Select one publication to correct.", messages.WARNING
            )
            return None
        url = reverse("admin:claims_publication_correct_pmid", args=[queryset.get().pk])
        return redirect(url)

    def has_correct_permission(self, request) -> bool:
        return curation.is_editor(request.user)

    def correct_pmid_view(self, request, object_id: int):
        """Ask for the right PMID and move the paper's evidence to it."""
        if not self.has_correct_permission(request):
            raise PermissionDenied
        wrong = get_object_or_404(Publication, pk=object_id)
        form = CorrectPmidForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                right = curation.publication_correct_pmid(
                    publication=wrong, pmid=form.cleaned_data["pmid"], by=request.user
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(
                    request,
                    f"PMID corrected from {wrong.pmid} to {right.pmid}: its evidence "
                    "moved and awaits re-review.",
                    messages.SUCCESS,
                )
                return redirect(
                    reverse("admin:claims_publication_change", args=[right.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": wrong,
            "moved": wrong.evidence.count(),
            "form": form,
            "title": "Correct the PMID",
        }
        return TemplateResponse(
            request, "admin/claims/publication/correct_pmid.html", context
        )

    @admin.display(description="title")
    def short_title(self, obj: Publication) -> str:
        return obj.title if len(obj.title) <= 80 else f"{obj.title[:77]}..."
