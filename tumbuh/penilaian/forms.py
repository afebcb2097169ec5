from django import forms
from django.utils.translation import gettext_lazy as _

from .rubric import MAX_BYTES


class StartForm(forms.Form):
    rubric = forms.ModelChoiceField(queryset=None, label=_("Rubric"))
    year = forms.IntegerField(label=_("Year"), min_value=2018, max_value=2100)

    def __init__(self, *args, rubrics, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rubric"].queryset = rubrics
        self.fields["year"].initial = today.year


class ScoreForm(forms.Form):
    level = forms.ModelChoiceField(queryset=None, required=False, label=_("Score"), empty_label=_("not scored yet"))
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, criterion, score=None, **kwargs):
        if score is not None and not args:
            kwargs.setdefault("initial", {"level": score.level_id, "comment": score.comment})
        super().__init__(*args, **kwargs)
        field = self.fields["level"]
        field.queryset = criterion.levels.all()
        # The choices from the criterion's levels as read (``views._criteria`` prefetches them):
        # the field's own choices would query them again, once a criterion (issue 18).
        field.choices = [("", field.empty_label), *((level.pk, str(level)) for level in criterion.levels.all())]
        self.prefix = f"c{criterion.pk}"


class FirstYearForm(forms.Form):
    districts = forms.MultipleChoiceField(
        label=_("Districts in their year I"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only read for a district whose convergence year before this one Tumbuh does not hold."),
    )

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["districts"].choices = [(d.code, d.name) for d in districts]


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Reason for reopening"), max_length=500)


class RubricUploadForm(forms.Form):
    province = forms.ModelChoiceField(queryset=None, label=_("Province"))
    file = forms.FileField(label=_("Rubric file (TOML)"))

    def __init__(self, *args, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        from tumbuh.wilayah.models import Wilayah

        self.fields["province"].queryset = Wilayah.objects.filter(code__in=[p.code for p in provinces])
        if len(provinces) == 1:
            self.fields["province"].initial = provinces[0].code

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The rubric file is larger than %(kb)d KB.") % {"kb": MAX_BYTES // 1024})
        return upload
