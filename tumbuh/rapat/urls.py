from django.urls import path

from . import views

app_name = "rapat"
urlpatterns = [
    path("", views.rapat_list, name="list"),
    path("baru/", views.rapat_edit, name="add"),
    path("<int:pk>/", views.rapat_detail, name="detail"),
    path("<int:pk>/ubah/", views.rapat_edit, name="edit"),
    path("<int:pk>/keputusan/", views.decision_add, name="decision_add"),
    path("<int:pk>/notulen/", views.minutes_save, name="minutes"),
    path("<int:pk>/buka/", views.reopen, name="reopen"),
    path("<int:pk>/tutup/", views.close, name="close"),
    path("<int:pk>/peserta/", views.participants, name="participants"),
    path("<int:pk>/peserta/<int:participant_pk>/", views.participant_edit, name="participant_edit"),
    path("<int:pk>/peserta/<int:participant_pk>/hapus/", views.participant_delete, name="participant_delete"),
    path("<int:pk>/kartu-qr/", views.qr_cards, name="qr_cards"),
    path("<int:pk>/hadir/", views.check_in_page, name="check_in"),
    path("<int:pk>/hadir/cari/", views.check_in_search, name="check_in_search"),
    path("<int:pk>/hadir/kode/", views.check_in_code, name="check_in_code"),
    path("<int:pk>/hadir/<int:participant_pk>/", views.check_in, name="check_in_one"),
    path("<int:pk>/hadir/jumlah/", views.counts, name="counts"),
    path("<int:pk>/pindai/", views.scan, name="scan"),
    path("<int:pk>/dokumen/<slug:kind>.<slug:fmt>", views.document, name="document"),
    path("tindak-lanjut/", views.item_list, name="items"),
    path("tindak-lanjut/<int:item_pk>/", views.item_detail, name="item"),
]
