"""The WHO tables of the phone's growth engine, mounted at ``/anak/kunjungan/luring/who/``
(namespace ``luring:who``, which ``tumbuh.core.middleware`` lets be cached: public data)."""

from django.urls import path

from .tables import who_tables

app_name = "who"
urlpatterns = [
    path("<str:digest>.json", who_tables, name="tables"),
]
