from django.urls import path

from . import views

app_name = "performance"

urlpatterns = [
    path("", views.my_skp, name="my-skp"),
    path("skp/buat/", views.plan_create, name="plan-create"),
    path("skp/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("skp/<int:pk>/pdf/", views.plan_pdf, name="plan-pdf"),
    path("skp/<int:pk>/hasil/tambah/", views.result_create, name="result-create"),
    path("skp/<int:pk>/perilaku/", views.plan_behaviours, name="plan-behaviours"),
    path("skp/<int:pk>/ajukan/", views.plan_submit, name="plan-submit"),
    path("skp/<int:pk>/setujui/", views.plan_agree, name="plan-agree"),
    path("skp/<int:pk>/kembalikan/", views.plan_return, name="plan-return"),
    path("skp/<int:pk>/versi-baru/", views.plan_revise, name="plan-revise"),
    path("hasil/<int:pk>/ubah/", views.result_edit, name="result-edit"),
    path("hasil/<int:pk>/hapus/", views.result_delete, name="result-delete"),
    path("persetujuan/", views.approvals, name="approvals"),
    path("realisasi/", views.realisation, name="realisation"),
    path("bukti/<int:pk>/", views.evidence_download, name="evidence"),
    path("bukti/<int:pk>/hapus/", views.evidence_delete, name="evidence-delete"),
    path("evaluasi/<int:pk>/", views.evaluation_detail, name="evaluation-detail"),
    path("penilaian/", views.rating, name="rating"),
    path("penilaian/predikat/", views.predicate_preview, name="predicate-preview"),
    path("rekap/", views.overview, name="overview"),
    path("rekap/belum-dinilai.xlsx", views.overview_unrated_xlsx, name="overview-unrated-xlsx"),
    path("rekap/kunci/", views.overview_lock, name="overview-lock"),
    path("rekap/kunci/<int:pk>/buka/", views.overview_reopen, name="overview-reopen"),
    path("pengaturan/", views.settings_view, name="settings"),
]
