"""The village layer's models and fields take English names (the rule in docs/architecture.md,
Glossary: desa, KPM, Perdes, Dana Desa stay Indonesian). Tables and columns are renamed, every
row is kept; the constraints naming renamed columns are dropped first and made again after;
the audit history follows (object types and the field names in its snapshots)."""

import django.db.models.deletion
from django.db import migrations, models

from tumbuh.audit.renames import follow_rename

#: (old model, new model): {old field: new field}
RENAMES = {
    ("RegulasiPeranDesa", "DesaRoleRegulation"): {"jenis": "kind", "nomor": "number", "tanggal": "date", "judul": "title"},
    ("KebijakanDesa", "DesaPolicy"): {"tahun": "year", "perdes_nomor": "perdes_number", "perdes_tanggal": "perdes_date",
                                      "perdes_judul": "perdes_title", "catatan": "note"},
    ("Kpm", "Kpm"): {"nama": "name", "telepon": "phone", "sk_nomor": "sk_number", "mulai": "since_year", "aktif": "is_active"},
    ("PelatihanKpm", "KpmTraining"): {"tanggal": "date", "judul": "title", "penyelenggara": "organiser", "jam": "hours"},
    ("SasaranScorecard", "ScorecardTarget"): {"tahun": "year", "triwulan": "quarter", "kelompok": "group", "nama": "name",
                                              "anak": "child", "jawaban": "answers", "otomatis": "filled_by_tumbuh",
                                              "dicatat_oleh": "recorded_by"},
    ("PembinaDesa", "DesaMentor"): {"tahun": "year"},
    ("KunjunganPembina", "MentorVisit"): {"pembina": "mentor", "tanggal": "date", "kegiatan": "activity", "dukungan": "support",
                                          "dicatat_oleh": "recorded_by"},
}


def _label(model: str) -> str:
    return f"konvergensi_desa.{model.lower()}"


def _renames():
    ops = []
    for (old, new), fields in RENAMES.items():
        if old != new:
            ops.append(migrations.RenameModel(old, new))
        ops += [migrations.RenameField(new.lower(), a, b) for a, b in fields.items()]
    return ops


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        ("konvergensi_desa", "0001_initial"),
        ("organisation", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="kebijakandesa", name="kebijakan_desa_one_per_year"),
        migrations.RemoveConstraint(model_name="pembinadesa", name="pembina_one_opd_per_desa_and_year"),
        migrations.RemoveConstraint(model_name="sasaranscorecard", name="scorecard_one_row_per_person"),
        migrations.RemoveIndex(model_name="sasaranscorecard", name="scorecard_quarter_idx"),
        *_renames(),
        migrations.AlterField(
            model_name="kpmtraining", name="kpm",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="trainings", to="konvergensi_desa.kpm",
                                    verbose_name="KPM"),
        ),
        migrations.AlterField(
            model_name="desamentor", name="opd",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="mentored_desa", to="organisation.opd",
                                    verbose_name="OPD"),
        ),
        migrations.AlterField(
            model_name="mentorvisit", name="mentor",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="visits",
                                    to="konvergensi_desa.desamentor", verbose_name="assignment"),
        ),
        migrations.AlterModelOptions(name="desaroleregulation", options={
            "ordering": ["-date"], "verbose_name": "village-role regulation", "verbose_name_plural": "village-role regulations"}),
        migrations.AlterModelOptions(name="desapolicy", options={
            "ordering": ["desa_id", "-year"], "verbose_name": "village policy on stunting",
            "verbose_name_plural": "village policies on stunting"}),
        migrations.AlterModelOptions(name="kpm", options={"ordering": ["desa_id", "name"], "verbose_name": "KPM", "verbose_name_plural": "KPM"}),
        migrations.AlterModelOptions(name="kpmtraining", options={
            "ordering": ["-date"], "verbose_name": "KPM training", "verbose_name_plural": "KPM trainings"}),
        migrations.AlterModelOptions(name="scorecardtarget", options={
            "ordering": ["group", "name"], "verbose_name": "scorecard target person", "verbose_name_plural": "scorecard target people"}),
        migrations.AlterModelOptions(name="desamentor", options={
            "ordering": ["-year", "desa_id"], "verbose_name": "OPD Pembina Desa", "verbose_name_plural": "OPD Pembina Desa"}),
        migrations.AlterModelOptions(name="mentorvisit", options={
            "ordering": ["-date"], "verbose_name": "mentoring visit", "verbose_name_plural": "mentoring visits"}),
        migrations.AddConstraint(
            model_name="desapolicy",
            constraint=models.UniqueConstraint(fields=("desa", "year"), name="desa_policy_one_per_year"),
        ),
        migrations.AddConstraint(
            model_name="desamentor",
            constraint=models.UniqueConstraint(fields=("desa", "year"), name="mentor_one_opd_per_desa_and_year"),
        ),
        migrations.AddConstraint(
            model_name="scorecardtarget",
            constraint=models.UniqueConstraint(fields=("desa", "year", "quarter", "group", "name"), name="scorecard_one_row_per_person"),
        ),
        migrations.AddIndex(
            model_name="scorecardtarget",
            index=models.Index(fields=["desa", "year", "quarter"], name="scorecard_quarter_idx"),
        ),
        follow_rename({_label(old): _label(new) for old, new in RENAMES if old != new},
                      {_label(old): fields for (old, _new), fields in RENAMES.items()}),
    ]
