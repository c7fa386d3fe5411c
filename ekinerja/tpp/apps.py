from django.apps import AppConfig


class TppConfig(AppConfig):
    name = "ekinerja.tpp"
    label = "tpp"
    verbose_name = "TPP"

    def ready(self):
        from ekinerja.activities.selectors import set_leave_source, set_locked_months_source
        from ekinerja.attendance.selectors import full_day_leave_on
        from ekinerja.attendance.selectors import (
            set_locked_months_source as set_attendance_locked_months_source,
        )

        from .selectors import locked_months_of

        # Activities (below tpp) warns BKPSDM about unlocks of months whose TPP is locked.
        set_locked_months_source(locked_months_of)
        # Attendance's roster page warns that changing a locked month's roster changes no pay.
        set_attendance_locked_months_source(locked_months_of)
        # ...and refuses entries on a day of approved leave, which attendance (its sibling) holds.
        set_leave_source(full_day_leave_on)
