"""Mount at the site root as /iclock/ (ZKTeco devices use fixed paths):
path("iclock/", include("ekinerja.attendance.adms_urls"))."""

from django.urls import path

from . import adms

urlpatterns = [
    path("cdata", adms.cdata),
    path("getrequest", adms.getrequest),
    path("devicecmd", adms.devicecmd),
]
