from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ekinerja.reports"
    label = "reports"
    verbose_name = "Laporan pimpinan"

    def ready(self) -> None:
        from . import signals

        signals.connect()
