"""The JSON API (django-ninja) under /api/v1/. Routers live in each app's api.py; this package puts
them together with authentication and error handling. It is the top layer: it may import every app."""
