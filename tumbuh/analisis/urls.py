from django.urls import path

from . import views

app_name = "analisis"
urlpatterns = [
    path("", views.situasi, name="situasi"),
    path("lokus/", views.lokus, name="lokus"),
    path("lokus/bobot/", views.weights, name="weights"),
    path("lokus/sk/", views.decree, name="decree"),
    path("master-ansit.xlsx", views.ansit, name="ansit"),
]
