from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from claims import citations
from claims.models import (
    Claim,
    Evidence,
    Publication,
    PublicationChange,
    RefreshRun,
    Review,
    Topic,
)
from claims.services import claims_recompute_status

CONTEXT_FIELDS = (
    ("msc_source", "species"),
    ("model", "immune_status"),
    ("delivery", "msc_tumor_ratio"),
    "cancer_type",
)


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    list_display = (
        "pmid",
        "first_author",
        "year",
        "short_title",
        "journal",
        "metadata_state",
        "verification",
        "is_retracted",
        "needs_review",
    )
    list_filter = (
        "metadata_state",
        "verification",
        "is_retracted",
        "needs_review",
        "year",
    )
    search_fields = ("^pmid", "title", "first_author", "journal", "doi")
    readonly_fields = (
        "record_hash",
        "fetched_at",
        "last_error",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("pmid", "title", "curated_title", "verification")}),
        (
            "Citation",
            {
                "fields": (
                    "first_author",
                    "authors",
                    ("journal", "journal_iso"),
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

    actions = ("refresh_from_pubmed",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # A curator types only a PMID; PubMed fills in the rest after commit.
            citations.refresh_plan(pmids=[obj.pmid], trigger=RefreshRun.Trigger.ADMIN)

    @admin.action(description="Refresh metadata from PubMed")
    def refresh_from_pubmed(self, request, queryset):
        pmids = list(queryset.values_list("pmid", flat=True))
        run = citations.refresh_plan(pmids=pmids, trigger=RefreshRun.Trigger.ADMIN)
        self.message_user(
            request,
            f"Queued {len(pmids)} publication(s) for refresh (run {run.pk}).",
            messages.SUCCESS,
        )

    @admin.display(description="title")
    def short_title(self, obj: Publication) -> str:
        return obj.title if len(obj.title) <= 80 else f"{obj.title[:77]}..."


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("__str__", "slug")
    autocomplete_fields = ("publication",)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "position", "review", "claim_count")
    list_filter = ("review",)
    search_fields = ("name", "description")
    prepopulated_fields = {"slug": ("name",)}

    @admin.display(description="claims")
    def claim_count(self, obj: Topic) -> int:
        return obj.claims.count()


class EvidenceInline(admin.StackedInline):
    model = Evidence
    extra = 0
    autocomplete_fields = ("publication",)
    show_change_link = True
    fields = (
        ("publication", "status"),
        ("stance", "effect", "level", "rating"),
        *CONTEXT_FIELDS,
        "finding",
        "quote",
    )


@admin.register(Claim)
class ClaimAdmin(SimpleHistoryAdmin):
    list_display = ("statement", "topic", "setting", "status", "evidence_count")
    list_filter = ("status", "setting", "topic")
    search_fields = ("statement", "slug")
    autocomplete_fields = ("topic",)
    readonly_fields = ("status", "status_reason", "status_rules_version")
    prepopulated_fields = {"slug": ("statement",)}
    list_select_related = ("topic",)
    inlines = (EvidenceInline,)
    fields = (
        "topic",
        "slug",
        "statement",
        ("setting", "position"),
        ("status", "status_rules_version"),
        "status_reason",
    )

    @admin.display(description="evidence")
    def evidence_count(self, obj: Claim) -> int:
        return obj.evidence.count()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        claims_recompute_status(claim_ids=[form.instance.pk])


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    list_display = (
        "publication",
        "claim",
        "stance",
        "effect",
        "level",
        "delivery",
        "rating",
        "status",
        "needs_rereview",
    )
    list_filter = (
        "status",
        "stance",
        "effect",
        "level",
        "needs_rereview",
        "msc_source",
        "species",
        "model",
        "immune_status",
        "delivery",
        "claim__topic",
    )
    search_fields = (
        "finding",
        "quote",
        "cancer_type",
        "claim__statement",
        "=publication__pmid",
    )
    autocomplete_fields = ("claim", "publication")
    list_select_related = ("publication", "claim")
    readonly_fields = (
        "submitted_by",
        "reviewed_by",
        "source_key",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("claim", "publication")}),
        (
            "Finding",
            {"fields": (("stance", "effect", "level", "rating"), "finding", "quote")},
        ),
        ("Context", {"fields": CONTEXT_FIELDS}),
        (
            "Workflow",
            {
                "fields": (
                    "status",
                    ("submitted_by", "reviewed_by"),
                    "review_reason",
                    ("needs_rereview", "rereview_reason"),
                    "source_key",
                    ("created_at", "updated_at"),
                )
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        previous_claim = form.initial.get("claim")
        super().save_model(request, obj, form, change)
        # Evidence moved between claims changes the status of both.
        claims_recompute_status(claim_ids=[obj.claim_id, previous_claim])


class PublicationChangeInline(admin.TabularInline):
    model = PublicationChange
    extra = 0
    can_delete = False
    fields = ("publication", "field", "old_value", "new_value", "changed_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RefreshRun)
class RefreshRunAdmin(admin.ModelAdmin):
    """Refresh runs are records of what happened: read-only."""

    list_display = (
        "pk",
        "trigger",
        "started_at",
        "finished_at",
        "requested",
        "changed",
        "unchanged",
        "missing",
        "failed",
        "requests_made",
    )
    list_filter = ("trigger",)
    inlines = (PublicationChangeInline,)
    readonly_fields = (*list_display[1:], "errors")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
