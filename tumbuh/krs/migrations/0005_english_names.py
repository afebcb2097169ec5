"""One naming rule (issue 13): the models and fields of the KRS app in English, the domain words
(KRS, TPK, desa, NIK, KK, RT/RW) and BKKBN's own variables (the yes/no risk factors and target
members, ``jenis_pendampingan``) as they were. Renamed in place, so every row stays:

=====================  ==============  ==========================================================
old model              new model       fields
=====================  ==============  ==========================================================
TimPendampingKeluarga  Tpk             nama → name, bidan → midwife, kader_pkk → pkk_cadre,
                                       kader_kb → kb_cadre, telepon → phone, aktif → is_active
Keluarga               Family          tahun → year, no_kk → kk_number, nama_kepala → head_name,
                                       alamat → address, nik_istri → wife_nik, nama_istri → wife_name
JumlahKeluarga         FamilyCount     tahun → year, jumlah → families, jumlah_balita →
                                       families_with_under_five, sumber → source
KunjunganTpk           TpkVisit        keluarga → family, tanggal → date, kegiatan → activity,
                                       catatan → notes, dicatat_oleh → recorded_by
AnakKeluarga           FamilyChild     keluarga → family, tahun → year, cara → method, alasan → reason
=====================  ==============  ==========================================================

The constraints and the index that name renamed fields are dropped first and made again under
the new names; the audit trail of each record follows it (``tumbuh.audit.renames``).
"""

from django.db import migrations, models
import django.db.models.deletion

from tumbuh.audit.renames import follow_renames, rename_operations

TPK = {"nama": "name", "bidan": "midwife", "kader_pkk": "pkk_cadre", "kader_kb": "kb_cadre", "telepon": "phone",
       "aktif": "is_active"}
FAMILY = {"tahun": "year", "no_kk": "kk_number", "nama_kepala": "head_name", "alamat": "address", "nik_istri": "wife_nik",
          "nama_istri": "wife_name"}
FAMILY_COUNT = {"tahun": "year", "jumlah": "families", "jumlah_balita": "families_with_under_five", "sumber": "source"}
TPK_VISIT = {"keluarga": "family", "tanggal": "date", "kegiatan": "activity", "catatan": "notes", "dicatat_oleh": "recorded_by"}
FAMILY_CHILD = {"keluarga": "family", "tahun": "year", "cara": "method", "alasan": "reason"}
#: A model before the models it points to (see ``rename_operations``).
RENAMES = (
    ("AnakKeluarga", "FamilyChild", FAMILY_CHILD),
    ("KunjunganTpk", "TpkVisit", TPK_VISIT),
    ("JumlahKeluarga", "FamilyCount", FAMILY_COUNT),
    ("Keluarga", "Family", FAMILY),
    ("TimPendampingKeluarga", "Tpk", TPK),
)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0001_initial"),
        ("krs", "0004_verval_krs"),
        # GENTING's first migration points at "krs.keluarga": it must run while that name exists
        # (RenameModel then repoints its foreign key; genting 0002 renames GENTING's own models).
        ("genting", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="timpendampingkeluarga", name="tpk_unique_name_per_desa"),
        migrations.RemoveConstraint(model_name="keluarga", name="krs_one_family_per_year"),
        migrations.RemoveIndex(model_name="keluarga", name="krs_desa_tahun_idx"),
        migrations.RemoveConstraint(model_name="jumlahkeluarga", name="krs_jumlah_keluarga_per_desa_tahun"),
        migrations.RemoveConstraint(model_name="anakkeluarga", name="krs_anak_once_per_keluarga"),
        migrations.RemoveConstraint(model_name="anakkeluarga", name="krs_anak_one_keluarga_per_year"),
        *rename_operations(RENAMES),
        migrations.AlterField(
            model_name="family",
            name="tpk",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="families",
                                    to="krs.tpk", verbose_name="TPK"),
        ),
        migrations.AlterField(
            model_name="tpkvisit",
            name="family",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="visits", to="krs.family",
                                    verbose_name="family"),
        ),
        migrations.AlterField(
            model_name="tpkvisit",
            name="tpk",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="visits", to="krs.tpk",
                                    verbose_name="TPK"),
        ),
        migrations.AlterField(
            model_name="familychild",
            name="family",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="child_links", to="krs.family",
                                    verbose_name="family"),
        ),
        migrations.AlterModelOptions(
            name="tpk",
            options={"ordering": ["desa_id", "name"], "verbose_name": "family companion team (TPK)",
                     "verbose_name_plural": "family companion teams (TPK)"},
        ),
        migrations.AlterModelOptions(
            name="family",
            options={"ordering": ["desa_id", "head_name"], "verbose_name": "at-risk family (KRS)",
                     "verbose_name_plural": "at-risk families (KRS)"},
        ),
        migrations.AlterModelOptions(
            name="familycount",
            options={"ordering": ["desa_id", "year"], "verbose_name": "number of families",
                     "verbose_name_plural": "numbers of families"},
        ),
        migrations.AlterModelOptions(
            name="tpkvisit",
            options={"ordering": ["-date", "-pk"], "verbose_name": "TPK visit", "verbose_name_plural": "TPK visits"},
        ),
        migrations.AlterModelOptions(
            name="familychild",
            options={"ordering": ["family_id", "child__birth_date"], "verbose_name": "child of an at-risk family",
                     "verbose_name_plural": "children of at-risk families"},
        ),
        migrations.AddConstraint(
            model_name="tpk",
            constraint=models.UniqueConstraint(fields=("desa", "name"), name="tpk_unique_name_per_desa"),
        ),
        migrations.AddConstraint(
            model_name="family",
            constraint=models.UniqueConstraint(fields=("year", "nik"), name="krs_one_family_per_year"),
        ),
        migrations.AddIndex(
            model_name="family",
            index=models.Index(fields=["desa", "year"], name="krs_family_desa_year_idx"),
        ),
        migrations.AddConstraint(
            model_name="familycount",
            constraint=models.UniqueConstraint(fields=("desa", "year"), name="krs_family_count_per_desa_year"),
        ),
        migrations.AddConstraint(
            model_name="familychild",
            constraint=models.UniqueConstraint(fields=("family", "child"), name="krs_child_once_per_family"),
        ),
        migrations.AddConstraint(
            model_name="familychild",
            constraint=models.UniqueConstraint(fields=("child", "year"), name="krs_child_one_family_per_year"),
        ),
        follow_renames("krs", RENAMES),
    ]
