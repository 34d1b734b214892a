from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "MSC evidence portal: curation"
admin.site.site_title = "MSC evidence portal"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("claims.api.urls")),
    path("", include("claims.urls")),
]
