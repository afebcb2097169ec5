from django.urls import path

from . import views

app_name = "krs"
urlpatterns = [
    path("", views.family_list, name="list"),
    path("<int:pk>/", views.family_detail, name="detail"),
    path("<int:pk>/tpk/", views.assign_tpk, name="assign_tpk"),
    path("<int:pk>/kunjungan/", views.log_visit, name="log_visit"),
    path("<int:pk>/anak/", views.link_child, name="link_child"),
    path("tautan/<int:pk>/hapus/", views.unlink_child, name="unlink_child"),
    path("anak/<str:tumbuh_id>/", views.child_families, name="child_families"),
    path("sasaran/", views.targeting_page, name="targeting"),
    path("tpk/", views.tpk_list, name="tpk_list"),
    path("tpk/baru/", views.tpk_edit, name="tpk_add"),
    path("tpk/<int:pk>/", views.tpk_edit, name="tpk_edit"),
    path("jumlah-keluarga/", views.family_counts, name="family_counts"),
    path("jumlah-keluarga/templat.xlsx", views.family_count_template_download, name="family_count_template"),
    path("jumlah-keluarga/impor/", views.family_count_import, name="family_count_import"),
]
