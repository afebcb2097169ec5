from django.urls import path

from . import views

app_name = "province"

urlpatterns = [
    path("", views.districts, name="districts"),
    path("banding/", views.compare, name="compare"),
    path("peta/", views.map_page, name="map"),
    path("excel/", views.districts_xlsx, name="xlsx"),
]
