from django.urls import path

from . import views

app_name = "konvergensi_desa"
urlpatterns = [
    path("aksi-4/", views.aksi4, name="aksi4"),
    path("aksi-4/perbup/baru/", views.regulasi_edit, name="regulasi_add"),
    path("aksi-4/perbup/<int:pk>/", views.regulasi_edit, name="regulasi_edit"),
    path("aksi-4/kebijakan/baru/", views.kebijakan_edit, name="kebijakan_add"),
    path("aksi-4/kebijakan/<int:pk>/", views.kebijakan_edit, name="kebijakan_edit"),
    path("aksi-5/", views.aksi5, name="aksi5"),
    path("kpm/baru/", views.kpm_edit, name="kpm_add"),
    path("kpm/<int:pk>/", views.kpm_detail, name="kpm"),
    path("kpm/<int:pk>/ubah/", views.kpm_edit, name="kpm_edit"),
    path("kartu-skor/<str:desa>/<int:tahun>/<int:triwulan>/", views.scorecard_quarter, name="scorecard"),
    path("kartu-skor/<str:desa>/<int:tahun>/<int:triwulan>/kartu-skor.xlsx", views.scorecard_xlsx, name="scorecard_xlsx"),
    path("kartu-skor/<str:desa>/<int:tahun>/<int:triwulan>/<slug:kelompok>/baru/", views.sasaran_edit, name="sasaran_add"),
    path("kartu-skor/<str:desa>/<int:tahun>/<int:triwulan>/<slug:kelompok>/<int:pk>/", views.sasaran_edit, name="sasaran_edit"),
    path("kartu-skor/<str:desa>/<int:tahun>/<int:triwulan>/<slug:kelompok>/<int:pk>/hapus/", views.sasaran_delete,
         name="sasaran_delete"),
    path("pembina/", views.pembina, name="pembina"),
    path("pembina/baru/", views.pembina_edit, name="pembina_add"),
    path("pembina/<int:pk>/", views.pembina_detail, name="pembina_detail"),
]
