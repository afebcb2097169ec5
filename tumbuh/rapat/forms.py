from django import forms
from django.utils.translation import gettext_lazy as _

from tumbuh.accounts import policy
from tumbuh.documents.models import ALLOWED_EXTENSIONS
from tumbuh.documents.validators import validate_upload
from tumbuh.organisation.forms import AuditedForm
from tumbuh.organisation.models import Opd
from tumbuh.tpps.models import Tpps
from tumbuh.wilayah.models import Level, Wilayah

from .models import ActionItem, Attendee, Group, OwnerKind, Rapat, Status

_date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def teams_managed_by(actor, queryset, make):
    """The teams in ``queryset`` for which ``actor`` may add ``make(team)`` (a meeting, a report)."""
    ids = [t.pk for t in queryset.select_related("wilayah") if policy.can(actor, policy.ADD, make(t))]
    return Tpps.objects.filter(pk__in=ids).select_related("wilayah").order_by("wilayah_id")


class RapatForm(AuditedForm):
    invited_groups = forms.MultipleChoiceField(
        label=_("Invited groups"),
        choices=Group.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Saving invites everyone Tumbuh's registry holds in the groups you choose (OPD, camat, kepala desa, "
            "lurah, puskesmas, TP PKK, PLKB); add the others on the participants page."
        ),
    )

    class Meta:
        model = Rapat
        fields = ["tpps", "title", "nomor", "date", "start_time", "place", "chair", "agenda", "invited_groups"]
        widgets = {
            "date": _date,
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "agenda": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "date": _(
                "Attendance and minutes lock after this day. A meeting held before today is recorded "
                "by the district admin, with a reason."
            )
        }

    def __init__(self, *args, actor, locked: bool = False, **kwargs):
        super().__init__(*args, actor=actor, **kwargs)
        self.fields["tpps"].queryset = teams_managed_by(actor, self.fields["tpps"].queryset, lambda t: Rapat(tpps=t))
        if locked:  # shown, not changed: the action refuses it too
            for field in self.fields.values():
                field.disabled = True


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why is the meeting reopened?"), max_length=500)


class AttendeeForm(AuditedForm):
    class Meta:
        model = Attendee
        fields = ["name", "group", "organisation", "position", "phone"]


class InviteForm(forms.Form):
    groups = forms.MultipleChoiceField(
        label=_("Invite from the registry"),
        widget=forms.CheckboxSelectMultiple,
        choices=[
            (g.value, g.label)
            for g in (Group.OPD, Group.CAMAT, Group.KEPALA_DESA, Group.LURAH, Group.PUSKESMAS, Group.PKK, Group.PLKB)
        ],
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class MinutesForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change (optional)"), required=False)

    class Meta:
        model = Rapat
        fields = ["minutes"]
        widgets = {"minutes": forms.Textarea(attrs={"rows": 8})}


def owner_choices(rapat: Rapat) -> list:
    """One "owner" list: the district's OPD, then the kecamatan and desa inside the team's region."""
    node = rapat.tpps.wilayah_id
    opd = [
        (f"opd:{o.pk}", f"{o.short_name} — {o.name}") for o in Opd.objects.filter(kabupaten_id=node[:5], is_active=True)
    ]
    regions = Wilayah.objects.filter(Wilayah.subtree_q(node), level__in=(Level.KECAMATAN, Level.DESA)).order_by("code")
    kec = [(f"w:{w.code}", w.label) for w in regions if w.level == Level.KECAMATAN]
    desa = [(f"w:{w.code}", w.label) for w in regions if w.level == Level.DESA]
    groups = [("", "—")]
    for label, items in ((_("OPD"), opd), (_("Kecamatan"), kec), (_("Desa"), desa)):
        if items:
            groups.append((label, items))
    return groups


def set_owner(item: ActionItem, value: str) -> ActionItem:
    """Set the owner of ``item`` from an ``owner_choices`` value ("opd:<id>" or "w:<code>")."""
    kind, _sep, ref = value.partition(":")
    if kind == "opd":
        item.owner_kind, item.owner_opd_id, item.owner_wilayah = OwnerKind.OPD, int(ref), None
    else:
        wilayah = Wilayah.objects.get(pk=ref)
        item.owner_kind = OwnerKind.KECAMATAN if wilayah.level == Level.KECAMATAN else OwnerKind.DESA
        item.owner_wilayah, item.owner_opd = wilayah, None
    return item


def owner_value(item: ActionItem) -> str:
    return f"opd:{item.owner_opd_id}" if item.owner_kind == OwnerKind.OPD else f"w:{item.owner_wilayah_id}"


class ItemForm(forms.Form):
    """The organiser corrects an action item: what, who, by when (its status moves by progress notes)."""

    title = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.ChoiceField(label=_("Owner"))
    due_date = forms.DateField(label=_("Due date"), widget=_date)
    reason = forms.CharField(label=_("Reason for the change (optional)"), required=False)

    def __init__(self, *args, item, **kwargs):
        super().__init__(
            *args, initial={"title": item.title, "owner": owner_value(item), "due_date": item.due_date}, **kwargs
        )
        self.item = item
        self.fields["owner"].choices = owner_choices(item.rapat)

    def apply(self) -> ActionItem:
        self.item.title, self.item.due_date = self.cleaned_data["title"], self.cleaned_data["due_date"]
        return set_owner(self.item, self.cleaned_data["owner"])


class DecisionForm(forms.Form):
    """A decision, and optionally the action item that follows it up."""

    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    action = forms.CharField(label=_("Action item (optional)"), required=False, max_length=300)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=_date)

    def __init__(self, *args, rapat, **kwargs):
        super().__init__(*args, **kwargs)
        self.rapat = rapat
        self.fields["owner"].choices = owner_choices(rapat)

    def clean(self):
        data = super().clean()
        if data.get("action"):
            if not data.get("owner"):
                self.add_error("owner", _("An action item needs an owner."))
            if not data.get("due_date"):
                self.add_error("due_date", _("An action item needs a due date."))
        return data

    def action_item(self) -> ActionItem | None:
        data = self.cleaned_data
        if not data.get("action"):
            return None
        return set_owner(ActionItem(rapat=self.rapat, title=data["action"], due_date=data["due_date"]), data["owner"])


class ProgressForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=_date)
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(label=_("Status after this"), choices=Status.choices)
    file = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_("PDF, image, Word, Excel or ODT, at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(ALLOWED_EXTENSIONS))}),
        validators=[validate_upload],
    )
