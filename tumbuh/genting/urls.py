from django.urls import path

from . import views

app_name = "genting"
urlpatterns = [
    path("", views.index, name="index"),
    path("ringkasan/", views.bupati, name="bupati"),
    path("ringkasan.pdf", views.bupati_document, {"fmt": "pdf"}, name="bupati_pdf"),
    path("ringkasan.docx", views.bupati_document, {"fmt": "docx"}, name="bupati_docx"),
    path("usulan/", views.suggestion_list, name="suggestions"),
    path("orang-tua-asuh/baru/", views.parent_edit, name="parent_add"),
    path("orang-tua-asuh/<int:pk>/", views.parent_edit, name="parent_edit"),
    path("asuhan/<int:pk>/", views.match_detail, name="match"),
    path("asuhan/<int:pk>/bantuan/", views.record_help, name="help"),
    path("asuhan/<int:pk>/berbagi/", views.set_shared, name="shared"),
    path("asuhan/<int:pk>/selesai/", views.end_match, name="end"),
    path("asuhan/<int:pk>/lembar.pdf", views.sheet, {"fmt": "pdf"}, name="sheet_pdf"),
    path("asuhan/<int:pk>/lembar.docx", views.sheet, {"fmt": "docx"}, name="sheet_docx"),
]
