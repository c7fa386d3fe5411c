from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "ekinerja.performance"
    label = "performance"
    verbose_name = "Kinerja (SKP)"
