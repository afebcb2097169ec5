"""Every word the offline page's script says, translated on the server (Indonesian by default)
and passed in the page with ``json_script``: the page itself holds no English fallback.

``%(name)s`` placeholders are filled by the script. Where the online form already says the
same thing, the same msgid is used, so the phone and the form say it in the same words."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from tumbuh.measurements.actions import NIK_MESSAGES
from tumbuh.measurements.models import Child, Measurement

#: What a conflict's "server" side may hold, labelled with the models' own field names.
_CHILD_FIELDS = ("name", "sex", "birth_date", "parent_name", "rt", "rw", "address")
_VISIT_FIELDS = (
    "date",
    "weight",
    "lenhei",
    "position",
    "oedema",
    "muac",
    "headc",
    "zlen",
    "zwei",
    "zwfl",
    "status_tbu",
    "status_bbu",
    "status_bbtb",
    "status_imtu",
)


def _field_labels() -> dict[str, str]:
    labels = {f"field_{f}": str(capfirst(Measurement._meta.get_field(f).verbose_name)) for f in _VISIT_FIELDS}
    labels.update({f"field_{f}": str(capfirst(Child._meta.get_field(f).verbose_name)) for f in _CHILD_FIELDS})
    labels.update(
        {
            "field_tumbuh_id": str(capfirst(Child._meta.get_field("tumbuh_id").verbose_name)),
            "field_nik_masked": _("NIK"),
            "field_desa": _("Desa"),
            "field_posyandu": _("Posyandu"),
            "field_child": _("Child"),
            "field_entered_by": str(capfirst(Measurement._meta.get_field("entered_by").verbose_name)),
        }
    )
    return labels


def page_texts() -> dict[str, str]:
    """The page's words in the active language."""
    choices = {  # what a conflict lets the cadre choose (POST /api/luring/pilih/), as the conflicts page says it
        "keep_server": _("Keep the server's values"),
        "use_phone": _("Use the phone's values"),
        "same_child": _("It is the same child"),
        "new_child": _("It is another child"),
        "discard": _("Discard the phone's record"),
    }
    return {
        # the status line
        "online": _("Online"),
        "offline": _("Offline: entries are kept on this phone"),
        "sending": _("Sending…"),
        "last_sync": _("last sent %(when)s"),
        "counts": _("Waiting: %(waiting)s · needs attention: %(attention)s · sent: %(sent)s · not used: %(discarded)s"),
        "login_again": _("You are not logged in: log in again to send."),
        "not_allowed": _("The server refused: you may not send these entries."),
        "other_user": _("Another user is logged in: these entries wait for their own user."),
        "sync_failed": _("Sending failed; it is tried again when there is signal."),
        "offline_waiting": _("No signal: the entries are sent when it comes back."),
        "storage_failed": _("This browser cannot keep data on the phone"),
        # the package
        "no_package": _("No list of children on this phone yet: download it while there is signal."),
        "package_info": _(
            "%(name)s: %(count)s children, downloaded %(when)s. Without a successful sending it is deleted from "
            "this phone on %(expires)s."
        ),
        "package_saved": _("The list of %(name)s is on this phone: %(count)s children."),
        "package_failed": _("The list of children could not be downloaded. Try again."),
        "package_needs_signal": _("Downloading the list of children needs signal."),
        "choose_desa": _("Choose a desa"),
        "choose_desa_first": _("Choose a desa first."),
        "whole_desa": _("The whole desa"),
        "expired": _(
            "The list of children on this phone has expired (no successful sending for too long) and was deleted. "
            "Entries not yet sent are kept. Connect to download it again."
        ),
        # search
        "search_help": _("Type at least 2 letters of the child's or the parent's name."),
        "search_help_nik": _("Type at least 2 letters of a name, or all 16 digits of a NIK."),
        "nik_16": _("Type all 16 digits of the NIK."),
        "no_nik_search": _("Search by name: your role does not search by NIK."),
        "no_child_found": _("No child found for “%(q)s” on this phone."),
        "boy": _("boy"),
        "girl": _("girl"),
        "born": _("born %(date)s"),
        "last_visit": _("last visit %(date)s"),
        "registered_here": _("registered on this phone"),
        # registering a child
        "name_required": _("Enter the child's name."),
        "sex_required": _("Choose the child's sex."),
        "birth_required": _("Enter the birth date."),
        "birth_future": _("The birth date is in the future."),
        "desa_required": _("Choose the desa."),
        "nik_label": _("NIK"),
        "parent_nik_label": _("Parent's NIK"),
        "nik_length": str(NIK_MESSAGES["nik_length"]),
        "nik_placeholder": str(NIK_MESSAGES["nik_placeholder"]),
        "nik_birth_date": str(NIK_MESSAGES["nik_birth_date"]),
        "parent_nik_same": _("The parent's NIK is the same as the child's."),
        "nik_registered": _("A child with this NIK is already registered. Search for the child instead."),
        "child_saved": _("%(name)s is registered on this phone. Now enter the visit."),
        # entering a visit
        "lying": _("Lying (length)"),
        "standing": _("Standing (height)"),
        "label_date": _("Visit date"),
        "label_position": _("Measured"),
        "label_weight": _("Weight (kg)"),
        "label_lenhei": _("Length/height (cm)"),
        "label_muac": _("LiLA (cm)"),
        "label_headc": _("Head circ. (cm)"),
        "no_tables": _("The WHO tables are not on this phone yet: open this page once with signal."),
        "check_prefix": _("Check:"),
        "save": _("Save on this phone"),
        "save_anyway": _("The values are right: save"),
        "visit_saved": _("The visit of %(name)s on %(date)s is saved on this phone."),
        # the records
        "state_waiting": _("waiting to be sent"),
        "state_sent": _("sent"),
        "state_attention": _("needs attention"),
        "state_discarded": _("not used"),
        "record_child": _("New child %(name)s, born %(date)s"),
        "record_visit": _("Visit of %(name)s on %(date)s"),
        "no_records": _("Nothing entered on this phone yet."),
        "fix": _("Fix and send again"),
        "open_child": _("Open the child's page"),
        "on_the_server": _("What the server already has:"),
        "choice_reason": _("Why? (kept in the history)"),
        "choice_reason_required": _("Say why before choosing: the reason is kept in the history."),
        "choice_needs_signal": _("Choosing needs signal."),
        "choice_failed": _("The choice could not be sent. Try again."),
        "choice_done": _("The choice is saved."),
        "yes": _("yes"),
        "no": _("no"),
        **{f"choice_{key}": text for key, text in choices.items()},
        **_field_labels(),
    }
