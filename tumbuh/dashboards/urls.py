from django.urls import path

from . import pdf, views

app_name = "dashboards"
urlpatterns = [
    path("", views.prevalence, name="prevalence"),
    path("xlsx/", views.prevalence_xlsx, name="prevalence_xlsx"),
    path("pdf/", pdf.prevalence_pdf, name="prevalence_pdf"),
    path("kualitas/", views.quality_page, name="quality"),
    path("kualitas/xlsx/", views.quality_xlsx, name="quality_xlsx"),
    path("kualitas/pdf/", pdf.quality_pdf, name="quality_pdf"),
    path("target/", views.targets, name="targets"),
    path("target/xlsx/", views.targets_xlsx, name="targets_xlsx"),
    path("target/pdf/", pdf.targets_pdf, name="targets_pdf"),
    path("target/baru/", views.target_edit, name="target_add"),
    path("target/<int:pk>/", views.target_edit, name="target_edit"),
    path("survei/", views.surveys, name="surveys"),
    path("survei/xlsx/", views.surveys_xlsx, name="surveys_xlsx"),
    path("survei/baru/", views.survey_edit, name="survey_add"),
    path("survei/<int:pk>/", views.survey_edit, name="survey_edit"),
]
urlpatterns += [
    path("penduduk/baru/", views.population_edit, name="population_add"),
    path("penduduk/<int:pk>/", views.population_edit, name="population_edit"),
]
