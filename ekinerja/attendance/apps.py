from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "ekinerja.attendance"
    label = "attendance"
    verbose_name = "Kehadiran"

    def ready(self):
        from . import signals

        # Stored days and leave counts follow the work calendar, stored days the definitif posts
        # (workcal and org may not import us).
        signals.connect()
