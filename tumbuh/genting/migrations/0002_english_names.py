"""One naming rule (issue 13): the models and fields of GENTING in English (GENTING, desa and the
stored choice values as they were). Renamed in place, so every row stays:

============  =============  ===================================================================
old model     new model      fields
============  =============  ===================================================================
OrangTuaAsuh  FosterParent   nama → name, jenis → kind, kontak → contact, telepon → phone,
                             alamat → address, komitmen → commitment, komitmen_rupiah →
                             commitment_rupiah, aktif → is_active
Asuhan        FosterMatch    orang_tua_asuh → foster_parent, keluarga → family, anak → child,
                             mulai → start_date, selesai → end_date, prioritas → priority,
                             alasan_ulang → rematch_reason, dikonfirmasi_oleh → confirmed_by
Bantuan       Help           asuhan → match, jenis → kind, nilai → value, tanggal → date,
                             uraian → description, dicatat_oleh → recorded_by
============  =============  ===================================================================

The check that a match has a target is made again on the new fields; the audit trail of each
record follows it (``tumbuh.audit.renames``); the evidence of help given follows through its
content type, which Django renames with the model.
"""

from django.db import migrations, models
import django.db.models.deletion

from tumbuh.audit.renames import follow_renames, rename_operations

FOSTER_PARENT = {"nama": "name", "jenis": "kind", "kontak": "contact", "telepon": "phone", "alamat": "address",
                 "komitmen": "commitment", "komitmen_rupiah": "commitment_rupiah", "aktif": "is_active"}
FOSTER_MATCH = {"orang_tua_asuh": "foster_parent", "keluarga": "family", "anak": "child", "mulai": "start_date",
                "selesai": "end_date", "prioritas": "priority", "alasan_ulang": "rematch_reason",
                "dikonfirmasi_oleh": "confirmed_by"}
HELP = {"asuhan": "match", "jenis": "kind", "nilai": "value", "tanggal": "date", "uraian": "description",
        "dicatat_oleh": "recorded_by"}
#: A model before the models it points to (see ``rename_operations``).
RENAMES = (
    ("Bantuan", "Help", HELP),
    ("Asuhan", "FosterMatch", FOSTER_MATCH),
    ("OrangTuaAsuh", "FosterParent", FOSTER_PARENT),
)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        ("genting", "0001_initial"),
        ("krs", "0005_english_names"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="asuhan", name="asuhan_has_a_target"),
        *rename_operations(RENAMES),
        migrations.AlterField(
            model_name="fostermatch",
            name="foster_parent",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="matches", to="genting.fosterparent",
                                    verbose_name="foster parent"),
        ),
        migrations.AlterField(
            model_name="fostermatch",
            name="family",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="foster_matches", to="krs.family", verbose_name="at-risk family"),
        ),
        migrations.AlterField(
            model_name="fostermatch",
            name="child",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="foster_matches", to="measurements.child", verbose_name="child"),
        ),
        migrations.AlterField(
            model_name="help",
            name="match",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="help_given", to="genting.fostermatch",
                                    verbose_name="foster match"),
        ),
        migrations.AlterModelOptions(
            name="fosterparent",
            options={"ordering": ["name"], "verbose_name": "foster parent", "verbose_name_plural": "foster parents"},
        ),
        migrations.AlterModelOptions(
            name="fostermatch",
            options={"ordering": ["-start_date", "-pk"], "verbose_name": "foster match", "verbose_name_plural": "foster matches"},
        ),
        migrations.AlterModelOptions(
            name="help",
            options={"ordering": ["-date", "-pk"], "verbose_name": "help given", "verbose_name_plural": "help given"},
        ),
        migrations.AddConstraint(
            model_name="fostermatch",
            constraint=models.CheckConstraint(condition=models.Q(("family__isnull", False), ("child__isnull", False), _connector="OR"),
                                              name="genting_match_has_a_target"),
        ),
        follow_renames("genting", RENAMES),
    ]
