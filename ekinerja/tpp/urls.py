from django.urls import path

from . import views

app_name = "tpp"

urlpatterns = [
    path("", views.index, name="index"),
    path("saya/", views.mine, name="mine"),
    path("saya/perkiraan/", views.estimate, name="estimate"),
    path("pegawai/<int:pk>/", views.employee_tpp, name="employee"),
    path("pegawai/<int:pk>/perkiraan/", views.estimate, name="employee-estimate"),
    path("perhitungan/", views.runs, name="runs"),
    path("perhitungan/hitung/", views.run_start, name="run-start"),
    path("perhitungan/<int:pk>/", views.run_detail, name="run"),
    path("perhitungan/<int:pk>/kemajuan/", views.run_progress, name="run-progress"),
    path("perhitungan/<int:pk>/verifikasi/", views.run_verify, name="run-verify"),
    path("perhitungan/<int:pk>/pemeriksaan/", views.run_check_progress, name="run-check-progress"),
    path("perhitungan/<int:pk>/kunci/", views.run_lock, name="run-lock"),
    path("perhitungan/<int:pk>/tahan/", views.withhold, name="withhold"),
    path("perhitungan/<int:pk>/lepas/<int:wid>/", views.release, name="release"),
    path("perhitungan/<int:pk>/koreksi/", views.adjust, name="adjust"),
    path("perhitungan/<int:pk>/periksa-selisih/", views.run_recheck, name="run-recheck"),
    path("perhitungan/<int:pk>/unduh/<slug:kind>/", views.download, name="download"),
    path("perhitungan/<int:pk>/dokumen/", views.documents_progress, name="documents"),
    path("kebijakan/", views.policies, name="policies"),
    path("kebijakan/baru/", views.policy_edit, name="policy-new"),
    path("kebijakan/<int:pk>/", views.policy_edit, name="policy"),
    path("kebijakan/<int:pk>/tetapkan/", views.policy_adopt, name="policy-adopt"),
    path("kebijakan/<int:pk>/cabut/", views.policy_retire, name="policy-retire"),
    path("kebijakan/<int:pk>/simulasi/", views.policy_simulate, name="policy-simulate"),
    path("simulasi/<int:pk>/", views.simulation_detail, name="simulation"),
    path("simulasi/<int:pk>/kemajuan/", views.simulation_progress, name="simulation-progress"),
    path("simulasi/<int:pk>/unduh/", views.simulation_download, name="simulation-download"),
    path("simulasi/<int:pk>/koreksi/", views.simulation_correct, name="simulation-correct"),
]
