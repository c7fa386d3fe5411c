"""The attendance menu's approval link for someone who decides without being a superior today."""

from django.utils.functional import SimpleLazyObject


def nav(request):
    """`decides_elsewhere`: true for an account that is nobody's superior today but has a leave or
    correction request addressed to it that it may still decide (selectors.addressed_and_decidable).
    Lazy: the menu asks only when the account is neither a superior today nor BKPSDM."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def waiting() -> bool:
        from ekinerja.org.selectors import employee_for_user

        from .selectors import addressed_and_decidable

        me = employee_for_user(user)
        return me is not None and addressed_and_decidable(me)

    return {"decides_elsewhere": SimpleLazyObject(waiting)}
