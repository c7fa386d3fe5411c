import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ekinerja.settings.base")

from ekinerja.api.handler import get_application  # noqa: E402

# Django's WSGI handler, with a short middleware stack for the mobile app's bearer requests.
application = get_application()

if "gunicorn" in sys.modules:
    # A web worker pays WeasyPrint's import (about 0.7 s of CPU) as it starts, not the first
    # officer who prints an SKP or a payroll list (core.pdf). Tests that import this module and
    # runserver never do.
    from ekinerja.core.pdf import warm  # noqa: E402

    warm()
