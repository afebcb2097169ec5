from pathlib import Path

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts import policy
from tumbuh.wilayah.models import Level, Wilayah

#: What the readers take. e-PPGBM's download is an HTML table named ``.xls``; the readers tell
#: the format by the content, so a suffix here only keeps obviously wrong files out early.
ACCEPTED_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".htm", ".html"}
#: Upload limit; an e-PPGBM export of a whole district fits comfortably.
MAX_BYTES = getattr(settings, "TUMBUH_IMPORT_MAX_BYTES", 200 * 1024 * 1024)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File (XLSX, XLS or CSV)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ACCEPTED_SUFFIXES))}))
    kabupaten = forms.ModelChoiceField(
        queryset=Wilayah.objects.filter(level=Level.KABUPATEN), label=_("Regency / city"), required=True
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not policy.is_global(user):
            del self.fields["kabupaten"]  # a district admin imports into their own district

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ACCEPTED_SUFFIXES:
            raise forms.ValidationError(_("Upload an .xlsx, .xls or .csv file."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        return upload

    def target_kabupaten(self) -> Wilayah:
        if "kabupaten" in self.fields:
            return self.cleaned_data["kabupaten"]
        return self.user.wilayah
