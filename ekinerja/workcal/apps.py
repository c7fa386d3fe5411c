from django.apps import AppConfig


class WorkcalConfig(AppConfig):
    name = "ekinerja.workcal"
    label = "workcal"
    verbose_name = "Kalender kerja"
