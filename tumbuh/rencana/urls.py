from django.urls import path

from . import views

app_name = "rencana"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("baru/", views.activity_edit, name="add"),
    path("<int:pk>/", views.activity_edit, name="edit"),
    path("<int:pk>/hapus/", views.activity_delete, name="delete"),
    path("celah/", views.gap_check, name="gaps"),
    path("unduh/<int:year>.xlsx", views.export, name="export"),
]
