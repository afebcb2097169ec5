from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("pengguna/", views.user_list, name="user_list"),
    path("pengguna/baru/", views.user_edit, name="user_add"),
    path("pengguna/<int:pk>/", views.user_edit, name="user_edit"),
]
