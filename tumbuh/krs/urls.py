from django.urls import path

from . import views

app_name = "krs"
urlpatterns = [
    path("", views.keluarga_list, name="list"),
    path("<int:pk>/", views.keluarga_detail, name="detail"),
    path("<int:pk>/tpk/", views.assign_tpk, name="assign_tpk"),
    path("<int:pk>/kunjungan/", views.log_visit, name="log_visit"),
    path("tpk/", views.tpk_list, name="tpk_list"),
    path("tpk/baru/", views.tpk_edit, name="tpk_add"),
    path("tpk/<int:pk>/", views.tpk_edit, name="tpk_edit"),
]
