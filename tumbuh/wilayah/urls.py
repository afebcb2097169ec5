from django.urls import path

from . import views

app_name = "wilayah"
urlpatterns = [
    path("", views.wilayah_list, name="list"),
    path("<str:code>/", views.wilayah_list, name="detail"),
]
