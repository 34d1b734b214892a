"""The review's structure: reviews, topics and claims."""

from django.contrib import admin

from claims import curation
from claims.admin.forms import ClaimForm
from claims.admin.writes import ServiceAdmin
from claims.models import Claim, ClaimAlias, Evidence, Review, Term, Topic


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


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    """The controlled vocabularies, read-only: they come from
    claims/data/vocabulary.yaml (load_review brings them up to date)."""

    list_display = ("label", "vocabulary", "slug", "ontology_id", "updated_at")
    list_filter = ("vocabulary",)
    # Also what the evidence form's cancer-type autocomplete searches.
    search_fields = ("label", "slug", "ontology_id")
    ordering = ("vocabulary", "label")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EvidenceInline(admin.TabularInline):
    """The claim's evidence at a glance; edits go through the evidence form,
    where the curation rules apply."""

    model = Evidence
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("publication", "stance", "effect", "level", "delivery", "status")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class AliasInline(admin.TabularInline):
    """The claim's retired slugs, whose old links redirect to it; they come
    from the review file's `formerly` (load_review keeps them in step)."""

    model = ClaimAlias
    extra = 0
    can_delete = False
    fields = ("slug", "created_at")
    readonly_fields = fields
    verbose_name = "former slug"
    verbose_name_plural = "former slugs (old links redirect here)"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Claim)
class ClaimAdmin(ServiceAdmin):
    form = ClaimForm
    service_fields = curation.CLAIM_FIELDS
    list_display = (
        "statement",
        "topic",
        "setting",
        "kind",
        "status",
        "evidence_count",
    )
    list_filter = ("status", "kind", "setting", "topic")
    search_fields = ("statement", "slug")
    autocomplete_fields = ("topic",)
    readonly_fields = ("status", "status_reason", "status_rules_version")
    prepopulated_fields = {"slug": ("statement",)}
    list_select_related = ("topic",)
    inlines = (AliasInline, EvidenceInline)

    class Media:
        css = {"all": ["admin-lists.css"]}

    fields = (
        "topic",
        "slug",
        "statement",
        ("setting", "kind", "position"),
        ("status", "status_rules_version"),
        "status_reason",
        "change_reason",
    )

    @admin.display(description="evidence")
    def evidence_count(self, obj: Claim) -> int:
        return obj.evidence.count()

    def service_create(self, request, fields, reason):
        return curation.claim_create(by=request.user, reason=reason, **fields)

    def service_update(self, request, stored, fields, reason):
        return curation.claim_update(
            claim=stored, by=request.user, reason=reason, **fields
        )
