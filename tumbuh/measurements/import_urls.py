from django.urls import path

from . import import_views

app_name = "measurement_imports"
urlpatterns = [
    path("", import_views.upload, name="upload"),
    path("templat.xlsx", import_views.template_download, name="template"),
    path("<int:pk>/", import_views.batch_detail, name="batch"),
    path("<int:pk>/progres/", import_views.batch_progress, name="progress"),
    path("<int:pk>/nama/", import_views.confirm_names, name="confirm_names"),
    path("<int:pk>/zscore-beda.csv", import_views.disagreements_download, name="disagreements"),
]
