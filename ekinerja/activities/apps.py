from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "ekinerja.activities"
    label = "activities"
    verbose_name = "Aktivitas harian"
