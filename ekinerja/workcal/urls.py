from django.urls import path

from . import home, views  # noqa: F401 - home registers its card

app_name = "workcal"

urlpatterns = [
    path("libur/", views.holidays, name="holidays"),
    path("libur/isi-nasional/", views.holidays_seed, name="holidays-seed"),
    path("libur/<int:pk>/ubah/", views.holiday_edit, name="holiday-edit"),
    path("libur/<int:pk>/hapus/", views.holiday_delete, name="holiday-delete"),
    path("libur/<int:pk>/pulihkan/", views.holiday_restore, name="holiday-restore"),
]
