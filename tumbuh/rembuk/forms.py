from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts import policy
from tumbuh.documents.forms import UploadForm
from tumbuh.organisation.forms import AuditedForm
from tumbuh.organisation.models import Opd
from tumbuh.tpps.models import Tpps
from tumbuh.wilayah.models import Level, Wilayah

from . import actions
from .models import Invitee, RembukEvent


class EventForm(AuditedForm):
    wilayah_fields = {"wilayah": (Level.KABUPATEN, Level.KECAMATAN)}

    class Meta:
        model = RembukEvent
        fields = [
            "wilayah",
            "year",
            "title",
            "date",
            "place",
            "signing_place",
            "agenda",
            "decisions",
            "nomor_berita_acara",
            "nomor_komitmen",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "decisions": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, invite=False, **kwargs):
        super().__init__(*args, **kwargs)
        if invite:
            self.fields["invite"] = forms.BooleanField(
                label=_("Invite from the TPPS, OPD and region lists (Bupati, DPRD, OPD heads, camat, village heads)"),
                required=False,
                initial=True,
            )


class InviteeForm(AuditedForm):
    class Meta:
        model = Invitee
        fields = [
            "category",
            "name",
            "position",
            "organisation",
            "opd",
            "tpps",
            "desa",
            "signs_commitment",
            "signs_minutes",
        ]

    def __init__(self, *args, event: RembukEvent, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.event = event
        self.fields["opd"].queryset = Opd.objects.filter(kabupaten_id=event.kabupaten_code, is_active=True)
        self.fields["tpps"].queryset = Tpps.objects.filter(Wilayah.subtree_q(event.wilayah_id, "wilayah__"))
        self.fields["desa"].queryset = policy.visible(
            self.actor, Wilayah.objects.filter(Wilayah.subtree_q(event.wilayah_id), level=Level.DESA)
        )

    def clean(self):
        data = super().clean()
        opd = data.get("opd")
        if opd and not data.get("organisation"):
            data["organisation"] = opd.short_name
            self.instance.organisation = opd.short_name
        return data


class AgreeForm(forms.Form):
    note = forms.CharField(label=_("Note on this version (optional)"), max_length=300, required=False)


class ScanForm(UploadForm):
    kind = forms.ChoiceField(
        label=_("Signed document"),
        choices=[
            (actions.SCAN_COMMITMENT, _("Commitment declaration")),
            (actions.SCAN_BERITA_ACARA, _("Berita acara")),
            (actions.SCAN_ATTENDANCE, _("Attendance list")),
        ],
    )
    field_order = ["kind", "title", "file", "reason"]
