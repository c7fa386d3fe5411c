from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "ekinerja.attendance"
    label = "attendance"
    verbose_name = "Kehadiran"
