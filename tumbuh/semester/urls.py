from django.urls import path

from . import views

app_name = "semester"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/final/", views.finalise, name="finalise"),
    path("<int:pk>/laporan.<slug:fmt>", views.export, name="export"),
]
