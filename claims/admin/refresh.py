"""Refresh runs: what each PubMed refresh did, read-only."""

from django.contrib import admin

from claims.models import PublicationChange, RefreshRun


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
