from django.urls import path

from . import views

app_name = "measurements"
urlpatterns = [
    path("", views.child_list, name="child_list"),
    path("baru/", views.child_edit, name="child_add"),
    path("kunjungan/", views.visit_start, name="visit_start"),
    path("kunjungan/cari/", views.visit_search, name="visit_search"),
    path("kunjungan/<str:tumbuh_id>/", views.visit_entry, name="visit"),
    path("unggah-eppgbm/", views.eppgbm_export, name="eppgbm_export"),
    path("unggah-eppgbm/unduh/", views.eppgbm_export_download, name="eppgbm_export_download"),
    path("<str:tumbuh_id>/", views.child_detail, name="child"),
    path("<str:tumbuh_id>/ubah/", views.child_edit, name="child_edit"),
    path("<str:tumbuh_id>/ringkasan/", views.child_summary, name="child_summary"),
]
