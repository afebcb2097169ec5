from django.urls import path

from . import views

app_name = "aksi"
urlpatterns = [
    path("", views.pantau, name="pantau"),
    path("mulai/", views.start, name="start"),
    path("ke/<int:number>/", views.by_number, name="by_number"),
    path("<int:pk>/", views.action, name="action"),
    path("<int:pk>/paket-bukti/", views.evidence_pack, name="evidence_pack"),
    path("paket-bukti/", views.evidence_year, name="evidence_year"),
    path("set/", views.sets, name="sets"),
    path("set/baru/", views.set_edit, name="set_add"),
    path("set/<int:pk>/", views.set_edit, name="set"),
    path("set/<int:set_pk>/aksi/baru/", views.definition_edit, name="definition_add"),
    path("set/<int:set_pk>/aksi/<int:pk>/", views.definition_edit, name="definition"),
]
