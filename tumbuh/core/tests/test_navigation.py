"""The menu is assembled from each app's ``navigation`` module: core keeps the sections, the
apps their pages, and the eight convergence actions reach the home page."""

from __future__ import annotations

import types

import pytest
from django.core.exceptions import ImproperlyConfigured

from tumbuh.core import navigation
from tumbuh.core.navigation import CYCLE, DATA, Entry, aksi_links, menu

pytestmark = pytest.mark.django_db


def _urls(user, section: int) -> list[str]:
    return [url for _label, url in menu(user)[section][1]]


def test_the_sections_come_in_their_order_with_every_apps_pages(alice):
    assert [title for title, _items in menu(alice)] == list(navigation.SECTIONS.values())
    assert _urls(alice, 0) == [
        "/aksi/",
        "/analisis/",
        "/rencana/",
        "/rembuk/",
        "/desa/aksi-4/",
        "/desa/aksi-5/",
        "/dasbor/kualitas/",
        "/publik/kelola/",
        "/reviu/",
    ]  # Pantau Aksi, then Aksi 1 to 8
    assert _urls(alice, 1) == [
        "/anak/",
        "/anak/kunjungan/",
        "/anak/kunjungan/luring/",  # the offline posyandu entry (issue 16)
        "/anak/unggah-eppgbm/",
        "/dasbor/",
        "/dasbor/kualitas/",
        "/dasbor/target/",
        "/indikator/",
        "/peta/",
    ]
    assert _urls(alice, 2) == [
        "/tpps/",
        "/rapat/",
        "/laporan-semester/",
        "/krs/",
        "/krs/sasaran/",
        "/genting/",
        "/penilaian/",
    ]
    assert _urls(alice, 3) == [
        "/wilayah/",
        "/organisasi/puskesmas/",
        "/organisasi/posyandu/",
        "/organisasi/opd/",
        "/organisasi/kop-surat/",
        "/akun/pengguna/",
        "/audit/",
    ]


def test_pages_for_some_users_only(demo_users):
    admin, dinkes = demo_users["admin.lutim"], demo_users["dinkes.lutim"]
    assert "/publik/kelola/" not in _urls(dinkes, 0) and "/aksi/ke/7/" in _urls(
        dinkes, 0
    )  # Aksi 7: its Pantau Aksi page
    assert "/aksi/ke/7/" not in _urls(admin, 0)
    assert _urls(dinkes, 1)[:2] == ["/anak/", "/dasbor/"]  # OPD staff record no visit and read no full NIK


def test_the_home_page_lists_the_eight_actions_with_their_summaries(alice):
    links = aksi_links(alice)
    assert [entry.action for entry, _url in links] == list(range(1, 9))
    assert all(str(entry.summary) for entry, _url in links)
    assert [url for _entry, url in links] == _urls(alice, 0)[1:]


def test_an_entry_in_no_known_section_is_refused(monkeypatch):
    stray = types.SimpleNamespace(entries=lambda: [Entry("elsewhere", 1, "?", "home")])
    monkeypatch.setattr(navigation, "app_modules", lambda name: (stray,))
    navigation.all_entries.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured):
            navigation.all_entries()
    finally:
        monkeypatch.undo()
        navigation.all_entries.cache_clear()


def test_a_fallback_gives_way_only_where_another_entry_is_shown(monkeypatch):
    module = types.SimpleNamespace(
        entries=lambda: [
            Entry(CYCLE, 1, "fallback", "home", fallback=True),
            Entry(CYCLE, 1, "own page", "home", when=lambda user: user.username == "admin.lutim"),
            Entry(DATA, 1, "data", "home"),
        ]
    )
    monkeypatch.setattr(navigation, "app_modules", lambda name: (module,))
    navigation.all_entries.cache_clear()
    try:
        from tumbuh.accounts.models import User

        assert [label for label, _url in menu(User.objects.get(username="admin.lutim"))[0][1]] == ["own page"]
        assert [label for label, _url in menu(User.objects.get(username="dinkes.lutim"))[0][1]] == ["fallback"]
        assert [label for label, _url in menu(None)[1][1]] == ["data"]
    finally:
        monkeypatch.undo()
        navigation.all_entries.cache_clear()
