from django.urls import path

from . import views

app_name = "measurements"
urlpatterns = [
    path("", views.child_list, name="child_list"),
    path("baru/", views.child_edit, name="child_add"),
    path("kunjungan/", views.visit_start, name="visit_start"),
    path("kunjungan/cari/", views.visit_search, name="visit_search"),
    path("kunjungan/dihapus/", views.removed_visits, name="removed_visits"),
    path("kunjungan/<int:pk>/hapus/", views.visit_remove, name="visit_remove"),
    path("kunjungan/<int:pk>/pulihkan/", views.visit_restore, name="visit_restore"),
    path("kunjungan/<str:tumbuh_id>/", views.visit_entry, name="visit"),
    path("kunjungan/<str:tumbuh_id>/<int:pk>/", views.visit_entry, name="visit_correct"),
    path("unggah-eppgbm/", views.eppgbm_export, name="eppgbm_export"),
    path("unggah-eppgbm/unduh/", views.eppgbm_export_download, name="eppgbm_export_download"),
    path("<str:tumbuh_id>/", views.child_detail, name="child"),
    path("<str:tumbuh_id>/ubah/", views.child_edit, name="child_edit"),
    path("<str:tumbuh_id>/ringkasan/", views.child_summary, name="child_summary"),
    path("<str:tumbuh_id>/gabungkan/", views.child_merge, name="child_merge"),
    path("<str:tumbuh_id>/pisahkan/", views.child_unmerge, name="child_unmerge"),
]
