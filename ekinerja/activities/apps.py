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
        # The account pages list and end the mobile app's tokens (org may not import activities).
        from ekinerja.org.views_accounts import DeviceSource, set_device_source

        from . import services

        set_device_source(
            DeviceSource(
                live=selectors.api_tokens_live,
                own=selectors.api_token_live,
                revoke=services.api_token_revoke,
                revoke_for=services.api_token_revoke_for,
            )
        )
