from collections import Counter

import pytest

from tumbuh.wilayah.loading import load_regions, source_counts
from tumbuh.wilayah.models import Level, Wilayah

LUWU_TIMUR_KECAMATAN = {
    "Mangkutana",
    "Nuha",
    "Towuti",
    "Malili",
    "Angkona",
    "Wotu",
    "Burau",
    "Tomoni",
    "Tomoni Timur",
    "Kalaena",
    "Wasuponda",
}


@pytest.mark.django_db
def test_loading_all_regions_matches_the_source_package_per_level():
    result = load_regions()
    expected = source_counts()
    stored = Counter(Wilayah.objects.values_list("level", flat=True))
    assert stored == expected
    assert stored[Level.PROVINSI] == 38 and stored[Level.KABUPATEN] == 514
    assert stored[Level.KECAMATAN] == 7285 and stored[Level.DESA] == 83762
    assert result["desa"] == 83762
    again = load_regions()
    assert again["created"] == 0 and again["updated"] == 0


@pytest.mark.django_db
def test_luwu_timur_has_its_real_kecamatan():
    names = set(Wilayah.objects.filter(parent_id="73.24").values_list("name", flat=True))
    assert names == LUWU_TIMUR_KECAMATAN
    assert Wilayah.objects.get(code="73.24").name == "Kabupaten Luwu Timur"
    assert Wilayah.objects.get(code="73.24.04.1003").kind == "kelurahan"
    assert Wilayah.objects.get(code="73.24.04.2010").kind == "desa"


@pytest.mark.django_db
def test_a_subtree_is_one_indexed_equality_not_a_walk(django_assert_num_queries):
    with django_assert_num_queries(1):
        desa = list(Wilayah.objects.subtree("73.24").filter(level=Level.DESA))
    assert len(desa) == 128
    assert all(w.code.startswith("73.24.") for w in desa)
    assert Wilayah.objects.subtree("73.24.04.2010").count() == 1
    assert Wilayah.objects.subtree("73.24", include_self=False).filter(code="73.24").count() == 0


@pytest.mark.django_db
def test_subtree_queries_use_an_index(django_db_blocker):
    from django.db import connection

    sql, params = Wilayah.objects.subtree("73.24").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "USING INDEX" in plan or "USING COVERING INDEX" in plan or "PRIMARY KEY" in plan, plan
        elif connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Index" in plan, plan
