from django.urls import path

from . import views

app_name = "indikator"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("baru/", views.indicator_edit, name="add"),
    path("<int:pk>/", views.indicator, name="indicator"),
    path("<int:pk>/ubah/", views.indicator_edit, name="edit"),
    path("cakupan/", views.coverage, name="coverage"),
    path("cakupan/templat.xlsx", views.coverage_template_download, name="template"),
    path("cakupan/hitung/", views.coverage_compute, name="compute"),
    path("cakupan/hitung/impor/<int:pk>/", views.coverage_refresh, name="refresh_import"),
    path("cakupan/impor/", views.coverage_import, name="import"),
    path("cakupan/impor/<int:pk>/", views.import_batch, name="import_batch"),
    path("cakupan/impor/<int:pk>/progres/", views.import_progress, name="import_progress"),
    path("cakupan/impor/<int:pk>/ditolak.xlsx", views.import_rejected, name="import_rejected"),
]
