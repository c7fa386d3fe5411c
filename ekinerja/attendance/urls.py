from django.urls import path

from . import adms

app_name = "attendance"

urlpatterns = [
    # ADMS push (devices expect /iclock/...; the project urls.py should also mount adms_urls at /iclock/).
    path("iclock/cdata", adms.cdata, name="adms-cdata"),
    path("iclock/getrequest", adms.getrequest, name="adms-getrequest"),
    path("iclock/devicecmd", adms.devicecmd, name="adms-devicecmd"),
]
