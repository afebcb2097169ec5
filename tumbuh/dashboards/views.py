from django.http import HttpResponse


def _todo(request, *a, **k):
    return HttpResponse("todo")


prevalence = prevalence_xlsx = quality_page = quality_xlsx = targets = targets_xlsx = target_edit = surveys = survey_edit = _todo
