from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.batch_list, name="list"),
    path("<int:pk>/", views.batch_detail, name="batch"),
    path("<int:pk>/progres/", views.batch_progress, name="progress"),
    path("<int:pk>/ditolak.xlsx", views.rejected_download, name="rejected"),
    path("<int:pk>/berkas/", views.source_download, name="source"),
    path("<int:pk>/kemajuan/", views.batch_progress, name="progress"),
    path("<int:pk>/ulang/", views.batch_rerun, name="rerun"),
    path("<slug:kind>/", views.upload, name="upload"),
    path("<slug:kind>/templat.xlsx", views.template_download, name="template"),
]
