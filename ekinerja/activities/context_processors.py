"""The activity menu's inbox link for someone who verifies without being a superior today."""

from django.utils.functional import SimpleLazyObject


def nav(request):
    """`verifies_elsewhere`: true for an account that is nobody's superior today but still has
    entries to verify from days it supervised (see selectors.former_superior_waiting). Lazy: the
    menu asks only when the account is not a superior today, so other pages pay nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def waiting() -> bool:
        from ekinerja.org.selectors import employee_for_user

        from .selectors import former_superior_waiting

        me = employee_for_user(user)
        return me is not None and former_superior_waiting(me)[0] > 0

    return {"verifies_elsewhere": SimpleLazyObject(waiting)}
