from django.urls import path

from . import views

app_name = "tpps"
urlpatterns = [
    path("", views.tpps_list, name="list"),
    path("<int:pk>/", views.team, name="team"),
    path("<int:pk>/anggota/<int:member_pk>/selesai/", views.member_end, name="member_end"),
    path("<int:pk>/<slug:kind>/baru/", views.record_edit, name="record_add"),
    path("<int:pk>/<slug:kind>/<int:record_pk>/", views.record_edit, name="record_edit"),
]
