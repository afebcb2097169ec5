"""One source of truth for a team's decree: ``tpps.Decree``. Every ``organisation.Tpps`` with an
``sk_number`` and no decree of that number gets one (audited as the system), before
``organisation`` 0002 drops ``sk_number`` and ``sk_date``. Backwards, each team's latest decree is
copied into the restored fields, and the decrees stay."""

from __future__ import annotations

import datetime as dt
import re

from django.db import migrations

REASON = "Dipindahkan dari nomor/tanggal SK pada data tim (organisation.Tpps) ke catatan SK"
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")


def decree_fields(team_name: str, sk_number: str, sk_date: dt.date | None, today: dt.date) -> dict | None:
    """The new decree's fields from a team's old SK fields, or None without a number. The date
    is required on a decree: without ``sk_date``, 1 January of the year the number ends with
    (``188.45/123/II/2025``), else ``today``; the title then says so, to be checked."""
    number = (sk_number or "").strip()
    if not number:
        return None
    title = f"Surat Keputusan {team_name}".strip()
    date = sk_date
    if date is None:
        years = _YEAR.findall(number)
        date = dt.date(int(years[-1]), 1, 1) if years else today
        title += " (tanggal SK belum tercatat; periksa)"
    return {"number": number[:120], "date": date, "title": title[:250], "signed_by": ""}


def copy_sk_to_decrees(apps, schema_editor):
    Tpps = apps.get_model("organisation", "Tpps")
    Decree = apps.get_model("tpps", "Decree")
    AuditLog = apps.get_model("audit", "AuditLog")
    today = dt.date.today()
    for team in Tpps.objects.exclude(sk_number="").order_by("pk"):
        fields = decree_fields(team.name, team.sk_number, team.sk_date, today)
        if fields is None or Decree.objects.filter(tpps=team, number=fields["number"]).exists():
            continue
        decree = Decree.objects.create(tpps=team, **fields)
        AuditLog.objects.create(
            actor=None, actor_name="sistem", action="create", object_type="tpps.decree", object_id=str(decree.pk),
            object_repr=decree.number[:200], wilayah_code=team.wilayah_id, before=None,
            after={"id": decree.pk, "tpps": team.pk, **fields, "date": fields["date"].isoformat()}, reason=REASON)


def copy_latest_decree_back(apps, schema_editor):
    Tpps = apps.get_model("organisation", "Tpps")
    Decree = apps.get_model("tpps", "Decree")
    for team in Tpps.objects.all():
        latest = Decree.objects.filter(tpps=team).order_by("-date", "-pk").first()
        if latest is not None:
            Tpps.objects.filter(pk=team.pk).update(sk_number=latest.number, sk_date=latest.date)


class Migration(migrations.Migration):

    dependencies = [
        ("organisation", "0001_initial"),
        ("audit", "0001_initial"),
        ("tpps", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_sk_to_decrees, copy_latest_decree_back),
    ]
