from collections.abc import Sequence
from pathlib import Path

from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts import policy
from tumbuh.wilayah.models import Level, Wilayah

from .framework import Option

#: What the readers take. e-PPGBM's download is an HTML table named ``.xls``; the readers tell
#: the format by the content, so a suffix here only keeps obviously wrong files out early.
ACCEPTED_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".htm", ".html"}
#: Upload limit; an e-PPGBM export of a whole district fits comfortably.
MAX_BYTES = getattr(settings, "TUMBUH_IMPORT_MAX_BYTES", 200 * 1024 * 1024)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File (XLSX, XLS or CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ACCEPTED_SUFFIXES))}),
    )
    kabupaten = forms.ModelChoiceField(
        queryset=Wilayah.objects.filter(level=Level.KABUPATEN), label=_("Regency / city"), required=True
    )

    def __init__(self, *args, user, options: Sequence[Option] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not policy.is_global(user):
            del self.fields["kabupaten"]  # a district admin imports into their own district
        #: The importer's ``options``: one field each, checked by ``Option.clean`` as on the command line.
        self.importer_options = tuple(options)
        for option in self.importer_options:
            if option.name in self.fields:
                raise ValueError(f"option {option.name!r} would hide the form's own field")
            self.fields[option.name] = option_field(option)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ACCEPTED_SUFFIXES:
            raise forms.ValidationError(_("Upload an .xlsx, .xls or .csv file."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        return upload

    def clean(self):
        data = super().clean()
        for option in self.importer_options:
            try:
                data[option.name] = option.clean(data.get(option.name))
            except ValueError as exc:
                self.add_error(option.name, str(exc))
        return data

    def option_values(self) -> dict:
        """The importer's options as given, for ``create_batch``/``run_import``."""
        return {o.name: self.cleaned_data.get(o.name) for o in self.importer_options}

    def target_kabupaten(self) -> Wilayah:
        if "kabupaten" in self.fields:
            return self.cleaned_data["kabupaten"]
        return self.user.wilayah


def option_field(option: Option) -> forms.Field:
    """The upload form's field for an importer ``Option``: a number input for a whole number,
    empty at first. ``UploadForm.clean`` checks it with ``Option.clean``, so the form says
    what the command line says."""
    attrs = {"required": True} if option.required else {}
    if option.kind is int:
        attrs.update({k: v for k, v in (("min", option.minimum), ("max", option.maximum)) if v is not None})
        widget = forms.NumberInput(attrs={**attrs, "step": 1})
    else:
        widget = forms.TextInput(attrs=attrs)
    return forms.CharField(label=capfirst(option.label), help_text=option.help, required=False, widget=widget)
