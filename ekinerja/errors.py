"""The error pages: in Indonesian for people (templates 400/403/403_csrf/404/500.html), and JSON
for the mobile app's API under /api/ (django-ninja answers its own errors inside a matched
endpoint; these are the paths it does not match and the errors Django raises around it)."""

from __future__ import annotations

from django.http import JsonResponse
from django.views import defaults


def _api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    if _api(request):
        return JsonResponse({"detail": "Alamat API tidak ditemukan."}, status=404)
    return defaults.page_not_found(request, exception)


def permission_denied(request, exception):
    if _api(request):
        return JsonResponse({"detail": str(exception) or "Akses ditolak."}, status=403)
    return defaults.permission_denied(request, exception)


def bad_request(request, exception):
    if _api(request):
        return JsonResponse({"detail": "Permintaan tidak valid."}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request):
    if _api(request):
        return JsonResponse(
            {"detail": "Terjadi kesalahan pada sistem; ulangi sebentar lagi."}, status=500
        )
    return defaults.server_error(request)
