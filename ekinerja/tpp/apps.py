from django.apps import AppConfig


class TppConfig(AppConfig):
    name = "ekinerja.tpp"
    label = "tpp"
    verbose_name = "TPP"

    def ready(self):
        from ekinerja.activities.selectors import set_leave_source
        from ekinerja.attendance.selectors import full_day_leaves_on
        from ekinerja.core import locked_months

        from .selectors import locked_months_of

        # The apps below tpp say which months' pay is settled: activities for BKPSDM's unlocks,
        # attendance on the roster page and in the approvals inbox.
        locked_months.set_source(locked_months_of)
        # ...and refuses entries (and their approval) on a day of approved leave, which attendance (its sibling) holds.
        set_leave_source(full_day_leaves_on)
