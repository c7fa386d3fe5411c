from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "e-Kinerja: Administrasi"
admin.site.site_title = "e-Kinerja"
admin.site.index_title = "Data induk"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("ekinerja.org.urls")),
]
