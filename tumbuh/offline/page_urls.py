"""The offline entry page, its service worker, its manifest and the WHO tables it caches."""

from django.urls import include, path

from . import pages

app_name = "luring"
urlpatterns = [
    path("", pages.entry, name="entry"),
    path("sw.js", pages.service_worker, name="sw"),
    path("manifest.webmanifest", pages.manifest, name="manifest"),
    path("sesi/", pages.session, name="session"),
    path("who/", include("tumbuh.offline.table_urls")),
    path("konflik/", include("tumbuh.offline.conflict_urls")),
]
