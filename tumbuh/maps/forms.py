from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from .geojson import DEFAULT_TOLERANCE

MAX_BYTES = 100 * 1024 * 1024


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(label=_("GeoJSON file (FeatureCollection)"))
    level = forms.TypedChoiceField(
        label=_("Areas in the file"), coerce=int, empty_value=None, required=False,
        choices=[("", _("Detect from the codes")), (3, _("Kecamatan")), (4, _("Desa / kelurahan"))],
    )
    repair = forms.BooleanField(
        label=_("Repair invalid geometry (shapely make_valid)"), required=False,
        help_text=_("Without it, a file with invalid polygons is refused and the problems are listed."),
    )
    tolerance = forms.FloatField(
        label=_("Simplification tolerance (degrees)"), initial=DEFAULT_TOLERANCE, min_value=0, max_value=0.01,
        help_text=_("0.0003 degrees is about 30 m; 0 keeps every vertex."),
    )
    reason = forms.CharField(label=_("Reason for the change (optional)"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in {".geojson", ".json"}:
            raise forms.ValidationError(_("Upload a .geojson or .json file."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        return upload
