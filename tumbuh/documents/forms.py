from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.organisation.forms import AuditedForm
from tumbuh.wilayah.models import Level

from .models import ALLOWED_EXTENSIONS, Letterhead
from .validators import validate_upload


class LetterheadForm(AuditedForm):
    wilayah_fields = {"kabupaten": (Level.KABUPATEN,)}

    class Meta:
        model = Letterhead
        fields = ["kabupaten", "government", "office", "address", "contact", "is_default"]


class UploadForm(forms.Form):
    """Attach a file (a signed scan, a decree, evidence) to an object."""

    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, image, Word, Excel or ODT, at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ALLOWED_EXTENSIONS))}),
        validators=[validate_upload],
    )
    reason = forms.CharField(label=_("Note (optional)"), required=False)
