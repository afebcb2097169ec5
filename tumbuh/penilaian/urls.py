from django.urls import path

from . import views

app_name = "penilaian"
urlpatterns = [
    path("", views.index, name="index"),
    path("mulai/", views.start, name="start"),
    path("rubrik/", views.rubrics, name="rubrics"),
    path("<int:pk>/", views.grid, name="grid"),
    path("<int:pk>/peringkat/", views.ranking, name="ranking"),
    path("<int:pk>/tahun-i/", views.first_year, name="first_year"),
    path("<int:pk>/final/", views.finalise, name="finalise"),
    path("<int:pk>/buka/", views.reopen, name="reopen"),
    path("<int:pk>/unduh.<str:fmt>", views.download, name="download"),
    path("<int:pk>/kabupaten/<str:code>/", views.district, name="district"),
    path("<int:pk>/kabupaten/<str:code>/skor/<int:criterion_pk>/", views.score, name="score"),
]
