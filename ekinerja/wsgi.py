import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ekinerja.settings.base")

from ekinerja.api.handler import get_application  # noqa: E402

# Django's WSGI handler, with a short middleware stack for the mobile app's bearer requests.
application = get_application()
