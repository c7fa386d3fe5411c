from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "ekinerja.activities"
    label = "activities"
    verbose_name = "Aktivitas harian"

    def ready(self):
        from . import signals

        signals.connect()
