from django.urls import path

from . import exports, views

app_name = "maps"

urlpatterns = [
    path("", views.map_page, name="map"),
    path("data.json", views.map_data, name="data"),
    path("xlsx/", exports.map_xlsx, name="xlsx"),
    path("pdf/", exports.map_pdf, name="pdf"),
    path("batas/", views.boundaries, name="boundaries"),
    path("batas/<int:pk>/hapus/", views.boundary_delete, name="boundary_delete"),
]
