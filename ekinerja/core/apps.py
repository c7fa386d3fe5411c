from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ekinerja.core"
    label = "core"
    verbose_name = "Inti"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401  (checks: `ekinerja check --deploy`)
