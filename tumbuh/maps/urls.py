from django.urls import path

from . import views

app_name = "maps"

urlpatterns = [
    path("", views.map_page, name="map"),
    path("data.json", views.map_data, name="data"),
    path("batas/", views.boundaries, name="boundaries"),
    path("batas/<int:pk>/hapus/", views.boundary_delete, name="boundary_delete"),
]
