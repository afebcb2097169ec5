from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from .geojson import DEFAULT_TOLERANCE

MAX_BYTES = 100 * 1024 * 1024


class BoundaryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Boundary file: the zipped shapefile as downloaded, or GeoJSON"),
        help_text=_(
            "A .zip with the .shp, .shx, .dbf and .prj of the kecamatan or desa layer (BIG's Ina-Geoportal or BPS), "
            "in any coordinate system; or a GeoJSON FeatureCollection in WGS 84."
        ),
    )
    level = forms.TypedChoiceField(
        label=_("Areas in the file"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", _("Detect from the codes")), (3, _("Kecamatan")), (4, _("Desa / kelurahan"))],
    )
    repair = forms.BooleanField(
        label=_("Repair invalid geometry (crossing edges, rings in the wrong order)"),
        required=False,
        help_text=_("Without it, a file with invalid polygons is refused and the problems are listed."),
    )
    tolerance = forms.FloatField(
        label=_("Simplification tolerance (degrees)"),
        initial=DEFAULT_TOLERANCE,
        min_value=0,
        max_value=0.01,
        help_text=_("0.0003 degrees is about 30 m; 0 keeps every vertex."),
    )
    reason = forms.CharField(label=_("Reason for the change (optional)"), required=False)

    def clean_file(self):
        """Too large, or plainly not a boundary file whatever its name says (told by its first
        bytes: a PDF, an image, an Office document, another archive); the rest is read by
        ``geojson``/``shapefiles``."""
        from .shapefiles import looks_like_zip, what_it_is

        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is too large (at most %(mb)d MB).") % {"mb": MAX_BYTES >> 20})
        head = upload.read(1024)
        upload.seek(0)
        if looks_like_zip(head):
            return upload
        what = what_it_is(head)
        if what is not None:
            raise forms.ValidationError(
                _("This is %(what)s, not a boundary file. Upload the zipped shapefile (.zip) or a GeoJSON file.")
                % {"what": _(what)}
            )
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if not text.startswith(b"{"):
            suffix = Path(upload.name).suffix.lower()
            if suffix in {".shp", ".dbf", ".shx", ".prj"}:
                raise forms.ValidationError(
                    _(
                        "Upload the whole shapefile as one .zip (the .shp, .shx, .dbf and .prj "
                        "together), not the %(suffix)s alone."
                    )
                    % {"suffix": suffix}
                )
            raise forms.ValidationError(
                _(
                    "This is neither a zip archive nor a GeoJSON file. Upload the zipped shapefile "
                    "(.zip) or a GeoJSON file."
                )
            )
        return upload
