from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_accounts, views_import

urlpatterns = [
    path("", views.home, name="home"),
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("profil/", views.my_profile, name="my-profile"),
    path("profil/kata-sandi/", views_accounts.password_change, name="password-change"),
    path(
        "profil/perangkat/<int:pk>/cabut/",
        views_accounts.my_device_revoke,
        name="my-device-revoke",
    ),
    path("akun/", views_accounts.accounts, name="accounts"),
    path("akun/buat/", views_accounts.accounts_create, name="accounts-create"),
    path("akun/<int:pk>/atur-ulang/", views_accounts.account_reset, name="account-reset"),
    path("akun/<int:pk>/perangkat/", views_accounts.account_devices, name="account-devices"),
    path(
        "akun/<int:pk>/perangkat/cabut/",
        views_accounts.account_devices_revoke,
        name="account-devices-revoke",
    ),
    path("pegawai/<int:pk>/", views.employee_profile, name="employee-profile"),
    path("unit/", views.unit_list, name="unit-list"),
    path("unit/<int:pk>/", views.unit_chart, name="unit-chart"),
    path("audit/", views.audit_log, name="audit-log"),
    path("impor/pegawai/", views_import.employee_import, name="employee-import"),
    path(
        "impor/pegawai/templat.xlsx",
        views_import.employee_import_template,
        name="employee-import-template",
    ),
    path(
        "impor/pegawai/<uuid:token>/",
        views_import.employee_import_preview,
        name="employee-import-preview",
    ),
    path(
        "impor/pegawai/<uuid:token>/terapkan/",
        views_import.employee_import_apply,
        name="employee-import-apply",
    ),
]
