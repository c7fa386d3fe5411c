from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "ekinerja.activities"
    label = "activities"
    verbose_name = "Aktivitas harian"

    def ready(self):
        from ekinerja.performance.selectors import set_linked_activities_source

        from . import selectors, signals

        signals.connect()
        # The SKP screens show the activities behind each result (performance may not import us).
        set_linked_activities_source(selectors.verified_minutes_by_skp_result)
