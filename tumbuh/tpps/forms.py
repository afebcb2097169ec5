from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.documents.models import ALLOWED_EXTENSIONS
from tumbuh.documents.validators import validate_upload
from tumbuh.organisation.forms import AuditedForm
from tumbuh.wilayah.models import Level

from . import actions
from .models import Decree, Member, Pokja, Tpps

_date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TppsForm(AuditedForm):
    wilayah_fields = {"wilayah": (Level.KABUPATEN, Level.KECAMATAN, Level.DESA)}

    class Meta:
        model = Tpps
        fields = ["wilayah", "name", "secretariat"]
        help_texts = {"name": _("Its decrees (SK), with the signed scan, are recorded on the team's page.")}


class TeamForm(AuditedForm):
    """A record of one team: its working groups and decrees are offered from that team only."""

    def __init__(self, *args, tpps, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.tpps = tpps
        for name, model in (("pokja", Pokja), ("decree", Decree)):
            if name in self.fields:
                self.fields[name].queryset = model.objects.filter(tpps=tpps)

    def apply(self, actor):
        """Write the record through the team's actions (validated, policy-checked, audited)."""
        return actions.do_save_team_record(actor, self.instance, reason=self.cleaned_data.get("reason", ""))


class DecreeForm(TeamForm):
    file = forms.FileField(
        label=_("Signed decree (scan)"),
        required=False,
        help_text=_("PDF, image, Word, Excel or ODT, at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ALLOWED_EXTENSIONS))}),
        validators=[validate_upload],
    )

    def apply(self, actor):
        return actions.do_record_decree(
            actor, self.instance, file=self.cleaned_data.get("file"), reason=self.cleaned_data.get("reason", "")
        )

    class Meta:
        model = Decree
        fields = ["number", "date", "title", "signed_by"]
        widgets = {"date": _date}


class PokjaForm(TeamForm):
    class Meta:
        model = Pokja
        fields = ["name", "duties", "order"]
        widgets = {"duties": forms.Textarea(attrs={"rows": 3})}


class MemberForm(TeamForm):
    change_from = forms.DateField(
        label=_("The change takes effect from"),
        required=False,
        widget=_date,
        help_text=_(
            "For a new position, working group or office: the team before this date stays as it was. "
            "Leave blank to correct a mistake in this record."
        ),
    )

    class Meta:
        model = Member
        fields = [
            "name",
            "position",
            "office",
            "opd",
            "organisation",
            "pokja",
            "phone",
            "email",
            "decree",
            "valid_from",
            "valid_to",
        ]
        widgets = {"valid_from": _date, "valid_to": _date}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["change_from"]

    def apply(self, actor):
        """A correction saves the record; a change from a date ends it and starts a new one."""
        if not self.cleaned_data.get("change_from"):
            return super().apply(actor)
        stored = Member.objects.get(pk=self.instance.pk)
        changes = {f: self.cleaned_data[f] for f in self.Meta.fields if f not in ("valid_from", "valid_to")}
        return actions.do_change_position(
            actor,
            stored,
            from_day=self.cleaned_data["change_from"],
            reason=self.cleaned_data.get("reason", ""),
            **changes,
        )


class EndMembershipForm(forms.Form):
    last_day = forms.DateField(label=_("Last day in the team"), widget=_date)
    reason = forms.CharField(label=_("Why does the membership end?"))


class OnDateForm(forms.Form):
    tanggal = forms.DateField(label=_("Team on"), required=False, widget=_date)
