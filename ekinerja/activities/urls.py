from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("", views.today, name="today"),
    path("hari/<str:day>/", views.day, name="day"),
    path("hari/<str:day>/ulangi/", views.repeat_previous, name="repeat"),
    path("hari/<str:day>/ajukan/", views.submit_day, name="submit-day"),
    path("bulan/", views.month, name="month"),
    path("entri/<int:pk>/", views.entry_detail, name="entry"),
    path("entri/<int:pk>/ubah/", views.entry_edit, name="entry-edit"),
    path("entri/<int:pk>/ajukan/", views.entry_submit, name="entry-submit"),
    path("entri/<int:pk>/hapus/", views.entry_delete, name="entry-delete"),
    path("entri/<int:pk>/bukti/", views.evidence_add, name="evidence-add"),
    path("entri/<int:pk>/keberatan/", views.objection_file, name="objection-file"),
    path("bukti/<int:pk>/", views.evidence_file, name="evidence"),
    path("katalog/cari/", views.catalog_search, name="catalog-search"),
    path("katalog/<int:pk>/favorit/", views.favourite_toggle, name="favourite"),
    path("verifikasi/", views.inbox, name="inbox"),
    path("verifikasi/massal/", views.verify_bulk, name="verify-bulk"),
    path("verifikasi/<int:pk>/", views.verify_one, name="verify"),
    path("buka-kunci/", views.unlocks, name="unlocks"),
    path("buka-kunci/kelola/", views.unlocks_manage, name="unlocks-manage"),
    path("buka-kunci/<int:pk>/putuskan/", views.unlock_decide, name="unlock-decide"),
    path("keberatan/", views.objections, name="objections"),
    path("keberatan/<int:pk>/putuskan/", views.objection_decide, name="objection-decide"),
    path("tim-penilai/", views.review, name="review"),
    path("tim-penilai/butir/<int:pk>/", views.review_decide, name="review-decide"),
    path("rekap/", views.recap, name="recap"),
    path("katalog/", views.catalog, name="catalog"),
    path("katalog/ekspor.xlsx", views.catalog_export, name="catalog-export"),
    path("impor/", views.bulk_entry, name="bulk"),
    path("skp/<int:pk>/", views.skp_result_activities, name="skp-result"),
]
