from django.urls import path

from . import views

app_name = "konvergensi_desa"
urlpatterns = [
    path("aksi-4/", views.aksi4, name="aksi4"),
    path("aksi-4/perbup/baru/", views.regulation_edit, name="regulation_add"),
    path("aksi-4/perbup/<int:pk>/", views.regulation_edit, name="regulation_edit"),
    path("aksi-4/kebijakan/baru/", views.policy_edit, name="policy_add"),
    path("aksi-4/kebijakan/<int:pk>/", views.policy_edit, name="policy_edit"),
    path("aksi-5/", views.aksi5, name="aksi5"),
    path("kpm/baru/", views.kpm_edit, name="kpm_add"),
    path("kpm/<int:pk>/", views.kpm_detail, name="kpm"),
    path("kpm/<int:pk>/ubah/", views.kpm_edit, name="kpm_edit"),
    path("kartu-skor/<str:desa>/<int:year>/<int:quarter>/", views.scorecard_quarter, name="scorecard"),
    path("kartu-skor/<str:desa>/<int:year>/<int:quarter>/kartu-skor.xlsx", views.scorecard_xlsx, name="scorecard_xlsx"),
    path("kartu-skor/<str:desa>/<int:year>/<int:quarter>/<slug:group>/baru/", views.target_edit, name="target_add"),
    path(
        "kartu-skor/<str:desa>/<int:year>/<int:quarter>/<slug:group>/<int:pk>/", views.target_edit, name="target_edit"
    ),
    path(
        "kartu-skor/<str:desa>/<int:year>/<int:quarter>/<slug:group>/<int:pk>/hapus/",
        views.target_delete,
        name="target_delete",
    ),
    path("pembina/", views.mentors, name="mentors"),
    path("pembina/baru/", views.mentor_edit, name="mentor_add"),
    path("pembina/<int:pk>/", views.mentor_detail, name="mentor"),
]
