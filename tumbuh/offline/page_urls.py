"""The offline entry page, its service worker, its manifest and the WHO tables it caches."""

from django.urls import include, path

app_name = "luring"
urlpatterns: list = [
    path("konflik/", include("tumbuh.offline.conflict_urls")),
]
