from django.urls import path, re_path

from . import views

app_name = "publik"

urlpatterns = [
    path("", views.index, name="index"),
    path("kelola/", views.manage, name="manage"),
    path("kelola/<int:pk>/tarik/", views.withdraw, name="withdraw"),
    path("kelola/pratinjau/<str:period>/", views.preview, name="preview"),
    re_path(r"^(?P<kab>\d{2}\.\d{2})/(?P<period>[RMY][0-9-]+)\.csv$", views.round_csv, name="csv"),
    re_path(r"^(?P<kab>\d{2}\.\d{2})/(?P<period>[RMY][0-9-]+)/$", views.round_page, name="round"),
    re_path(r"^(?P<kab>\d{2}\.\d{2})/(?P<period>[RMY][0-9-]+)/peta\.json$", views.round_map, name="map_data"),
    re_path(r"^(?P<kab>\d{2}\.\d{2})/$", views.district, name="district"),
]
