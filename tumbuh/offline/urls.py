"""The sync API of the offline entry page (JSON, for the phone): see docs/offline.md."""

from django.urls import path

from . import api

app_name = "offline"
urlpatterns = [
    path("paket/", api.package, name="package"),
    path("sinkron/", api.sync, name="sync"),
    path("pilih/", api.choose, name="choose"),
]
