from django.urls import path

from . import views

app_name = "reviu"
urlpatterns = [
    path("", views.page, name="page"),
    path("realisasi/<int:activity_pk>/", views.realisation_edit, name="realisation"),
    path("<int:year>/ubah/", views.review_edit, name="edit"),
    path("<int:year>/rekomendasi/baru/", views.recommendation_edit, name="recommendation_add"),
    path("<int:year>/rekomendasi/<int:pk>/", views.recommendation_edit, name="recommendation_edit"),
    path("<int:year>/rekomendasi/<int:pk>/hapus/", views.recommendation_delete, name="recommendation_delete"),
    path("<int:year>/laporan.<str:fmt>", views.report, name="report"),
]
