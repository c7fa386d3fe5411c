from django.urls import path

from . import home, views  # noqa: F401 - home registers its card

app_name = "attendance"

urlpatterns = [
    path("", views.my_month, name="month"),
    path("pegawai/<int:pk>/", views.employee_month, name="employee-month"),
    path("cuti/", views.leave, name="leave"),
    path("cuti/<int:pk>/batal/", views.leave_cancel, name="leave-cancel"),
    path("cuti/<int:pk>/putuskan/", views.leave_decide, name="leave-decide"),
    path("koreksi/", views.corrections, name="corrections"),
    path("koreksi/<int:pk>/putuskan/", views.correction_decide, name="correction-decide"),
    path("tinjau/<int:pk>/", views.punch_review, name="punch-review"),
    path("persetujuan/", views.inbox, name="inbox"),
    path("lampiran/<str:kind>/<int:pk>/", views.attachment, name="attachment"),
    path("papan/", views.board, name="board"),
    path("rekap/", views.recap, name="recap"),
    path("roster/", views.roster, name="roster"),
    path("impor/", views.imports, name="imports"),
    path("impor/<int:pk>/", views.import_detail, name="import-detail"),
    path("impor/<int:pk>/jalankan/", views.import_run, name="import-run"),
    # ADMS push is answered only at the site root's /iclock/ (ekinerja.attendance.adms_urls, the
    # fixed path of the machines), which production restricts to the machines' network: a second
    # mount here (/kehadiran/iclock/) was reachable from anywhere through nginx's `location /`,
    # with a serial number as the only credential.
]
