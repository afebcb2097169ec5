from django.urls import path

from . import views

app_name = "organisation"
urlpatterns = [
    path("posyandu/pilihan-puskesmas/", views.posyandu_puskesmas, name="posyandu_puskesmas"),
    path("<slug:kind>/", views.object_list, name="list"),
    path("<slug:kind>/baru/", views.object_edit, name="add"),
    path("<slug:kind>/<int:pk>/", views.object_edit, name="edit"),
    path("<slug:kind>/<int:pk>/hapus/", views.object_delete, name="delete"),
    # Named shortcuts for the menu.
    path("opd/", views.object_list, {"kind": "opd"}, name="opd_list"),
    path("puskesmas/", views.object_list, {"kind": "puskesmas"}, name="puskesmas_list"),
    path("posyandu/", views.object_list, {"kind": "posyandu"}, name="posyandu_list"),
]
