"""The conflicts page of the offline entry, under ``/anak/kunjungan/luring/konflik/``
(included by ``page_urls`` in the ``luring`` namespace: ``luring:konflik``, ``luring:konflik_pilih``)."""

from django.urls import path

from . import conflicts

urlpatterns = [
    path("", conflicts.conflict_list, name="konflik"),
    path("<uuid:uuid>/pilih/", conflicts.conflict_choose, name="konflik_pilih"),
]
