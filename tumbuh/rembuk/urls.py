from django.urls import path

from . import views

app_name = "rembuk"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("baru/", views.event_edit, name="add"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/ubah/", views.event_edit, name="edit"),
    path("<int:pk>/undang/", views.invite, name="invite"),
    path("<int:pk>/kehadiran/", views.attendance, name="attendance"),
    path("<int:pk>/materi/", views.freeze, name="freeze"),
    path("<int:pk>/sepakati/", views.agree, name="agree"),
    path("<int:pk>/peserta/baru/", views.participant_edit, name="participant_add"),
    path("<int:pk>/peserta/<int:participant_pk>/", views.participant_edit, name="participant_edit"),
    path("<int:pk>/peserta/<int:participant_pk>/hapus/", views.participant_delete, name="participant_delete"),
    path("<int:pk>/dokumen/<slug:kind>.<str:fmt>", views.document, name="document"),
    path("<int:pk>/unggah/", views.upload, name="upload"),
]
