from django.contrib import admin
from django.urls import include, path

from portal.health import healthz, readyz

admin.site.site_header = "MSC evidence portal: curation"
admin.site.site_title = "MSC evidence portal"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/", include("claims.api.urls")),
    path("", include("claims.pages.urls")),
]
