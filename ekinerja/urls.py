from django.contrib import admin
from django.urls import include, path

from ekinerja.api.v1 import api
from ekinerja.health import health

admin.site.site_header = "e-Kinerja: Administrasi"
admin.site.site_title = "e-Kinerja"
admin.site.index_title = "Data induk"

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    # ZKTeco-compatible machines push to the fixed paths /iclock/cdata and /iclock/getrequest.
    path("iclock/", include("ekinerja.attendance.adms_urls")),
    path("api/v1/", api.urls),
    path("kalender/", include("ekinerja.workcal.urls")),
    path("kehadiran/", include("ekinerja.attendance.urls")),
    path("aktivitas/", include("ekinerja.activities.urls")),
    path("kinerja/", include("ekinerja.performance.urls")),
    path("tpp/", include("ekinerja.tpp.urls")),
    path("laporan/", include("ekinerja.reports.urls")),
    path("", include("ekinerja.org.urls")),
]

# Error pages in Indonesian, JSON under /api/ (ekinerja.errors).
handler400 = "ekinerja.errors.bad_request"
handler403 = "ekinerja.errors.permission_denied"
handler404 = "ekinerja.errors.page_not_found"
handler500 = "ekinerja.errors.server_error"
