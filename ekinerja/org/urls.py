from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("profil/", views.my_profile, name="my-profile"),
    path("pegawai/<int:pk>/", views.employee_profile, name="employee-profile"),
    path("unit/", views.unit_list, name="unit-list"),
    path("unit/<int:pk>/", views.unit_chart, name="unit-chart"),
    path("audit/", views.audit_log, name="audit-log"),
]
