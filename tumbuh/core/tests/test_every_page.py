"""Every page, as every demo role, in both languages: what an inspector would catch at a glance.

The walk starts at the home page and follows every link the user is shown (GET, same site),
one address per URL pattern, so a list of 300 children costs one child page, not 300. Each HTML
page it reaches must:

- answer without a server error;
- show no raw model label (``organisation.posyandu``) and no field name (``is_active``);
- speak the interface's language: no untranslated English sentence on the Indonesian UI, no
  Indonesian interface text on the English UI;
- write numbers with the interface's separators (``82,9 cm`` in Indonesian, ``82.9 cm`` in
  English; years and row numbers without a thousands separator in both).

Data stay as entered: a desa, a person or a meeting title is Indonesian on the English UI too,
so a word inside a value stored in the database is not held against the interface. Text meant
for one language whatever the interface (a handout for parents, a file's own column names) says
so with ``lang="id"``, as HTML asks; ``<code>`` holds names a user types or a file carries.
The checks are word lists and patterns, written down below; a page that fails names the
offending text, the page and the role.
"""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.db import models
from django.urls import Resolver404, resolve
from lxml import html as lxml_html

from tumbuh.demo.accounts import DEMO_ACCOUNTS

pytestmark = pytest.mark.django_db

ROLES = [a.username for a in DEMO_ACCOUNTS]
ANONYMOUS = "(publik)"

#: Links the walk does not follow: leaving, switching language, files (their own tests read
#: them), and admin screens Django writes in its own words.
SKIP_PATH = re.compile(
    r"^/(keluar|logout|i18n|admin|static|media)/|\.(pdf|csv|xlsx|xls|zip|json|geojson|png|svg|docx)$"
    r"|/(unduh|download|ekspor|export|pdf|csv|xlsx|excel|zip|geojson|berkas|file)(/|$)"
)
MAX_PAGES = 400

APP_LABELS = sorted({c.label for c in apps.get_app_configs()}, key=len, reverse=True)
RAW_LABEL = re.compile(r"\b(?:{})\.[a-z_]+\b".format("|".join(map(re.escape, APP_LABELS))))
FIELD_NAME = re.compile(r"(?<![\w./@-])[a-z]+_[a-z_]+(?![\w./@-])")

#: Words an Indonesian interface never shows: English function words and Python's literals.
ENGLISH_WORDS = re.compile(
    r"\b(the|and|with|your|this|from|have|been|will|which|there|should|could|would|None|True|False|"
    r"Not Found|Forbidden|Save|Cancel|Delete|Search|Download|Upload|Submit)\b"
)
#: Indonesian interface words an English interface never shows (domain words such as desa,
#: posyandu, puskesmas, rembuk, lokus stay Indonesian by design and are not listed).
INDONESIAN_WORDS = re.compile(
    r"\b(yang|dengan|untuk|belum|sudah|tidak|dari|pada|atau|akan|Simpan|Batal|Hapus|Cari|Ubah|"
    r"Kembali|Tambah|Unduh|Unggah|Tahun|Bulan|Tanggal|Jumlah|Semua)\b"
)
#: Indonesian legal citations keep their form in English ("Perpres No. 72 Tahun 2021"), and a
#: name quoted from a document or a file stays as written (the “Jumlah Keluarga” column).
CITATION = re.compile(r"\d+\s+Tahun\s+\d{4}|“[^”]*”")

#: Numbers in the wrong dress. Indonesian: decimal point before a unit or a percent sign.
#: English: decimal comma before a unit or percent, thousands dot. Both: a year or a row number
#: with a thousands separator.
WRONG_NUMBER = {
    "id": re.compile(r"(?<![\d.,])\d+\.\d{1,2}\s?(%|cm|kg|gram)(?!\w)"),
    "en": re.compile(r"(?<![\d.,])\d+,\d{1,2}\s?(%|cm|kg|gram)(?!\w)|(?<![\d.,])\d{1,3}\.\d{3}(?![\d.,])"),
}
SEPARATED_YEAR_OR_ROW = re.compile(r"\b(tahun|Tahun|year|Year|TA|baris|Baris|row|Row)\s+\d{1,3}[.,]\d{3}(?![\d.,])")


class StoredTexts:
    """Every text value stored in the database (names, titles, places, notes), indexed by word."""

    def __init__(self):
        self.by_word: dict[str, set[str]] = {}
        for model in apps.get_models():
            fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
            if not fields:
                continue
            for row in model._default_manager.values_list(*fields)[:5000]:
                for value in row:
                    if isinstance(value, str) and 2 < len(value.strip()) < 2000:
                        for word in set(WORD.findall(value)):
                            self.by_word.setdefault(word, set()).add(value.strip())

    def covers(self, text: str, match: re.Match) -> bool:
        """Whether the matched words lie inside a stored value that the text quotes."""
        words = WORD.findall(match.group(0))
        for value in self.by_word.get(words[0], ()) if words else ():
            if text in value:  # a part of a stored text, cut by a line break
                return True
            start = text.find(value)
            while start != -1:
                if start <= match.start() and match.end() <= start + len(value):
                    return True
                start = text.find(value, start + 1)
        return False


WORD = re.compile(r"\w+")


def visible_texts(document, language: str) -> list[str]:
    """The text nodes a reader sees, and the attribute texts a screen reader or tooltip says,
    leaving out text marked as another language and names in ``<code>``."""
    skip = "//script|//style|//noscript|//template|//textarea|//code|//kbd|//samp"
    for bad in document.xpath(f"{skip}|//body//*[@lang and not(starts-with(@lang, '{language}'))]"):
        bad.drop_tree()
    texts = [t.strip() for t in document.xpath("//body//text()") if t.strip()]
    texts += [
        a.strip()
        for a in document.xpath("//body//@title|//body//@placeholder|//body//@aria-label|//body//@alt")
        if a.strip()
    ]
    return texts


def pattern_of(path: str) -> str:
    try:
        match = resolve(path)
    except Resolver404:
        return path
    return match.route or match.url_name or path


def links(document, base: str) -> list[str]:
    found = []
    for href in document.xpath("//a/@href"):
        url = urlsplit(urljoin(base, href))
        if url.scheme not in ("", "http") or url.netloc not in ("", "testserver"):
            continue
        if not url.path.startswith("/") or SKIP_PATH.search(url.path):
            continue
        found.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


def walk(client, start: str) -> dict[str, str]:
    """Pages reached from the home page, one per URL pattern (and query-free first): path -> html."""
    pages: dict[str, str] = {}
    seen_patterns: set[str] = set()
    queue = deque([start])
    while queue and len(pages) < MAX_PAGES:
        path = queue.popleft()
        key = pattern_of(path.split("?")[0]) + ("?" if "?" in path else "")
        if key in seen_patterns:
            continue
        seen_patterns.add(key)
        response = client.get(path)
        assert response.status_code < 500, f"{path}: HTTP {response.status_code}"
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        text = response.content.decode()
        pages[path] = text
        queue.extend(links(lxml_html.fromstring(text), path))
    return pages


def problems(pages: dict[str, str], language: str, data: StoredTexts) -> list[str]:
    found = []
    for path, page in pages.items():
        document = lxml_html.fromstring(page)
        if not document.get("lang", language).startswith(language):
            continue  # a page in one language whatever the interface (the parents' handout)
        for text in visible_texts(document, language):
            text = CITATION.sub("", text) if language == "en" else text
            checks = [
                ("raw model label", RAW_LABEL),
                ("field name", FIELD_NAME),
                ("wrong separator", WRONG_NUMBER[language]),
                ("year or row with a thousands separator", SEPARATED_YEAR_OR_ROW),
                (
                    "English on the Indonesian UI" if language == "id" else "Indonesian on the English UI",
                    ENGLISH_WORDS if language == "id" else INDONESIAN_WORDS,
                ),
            ]
            for what, pattern in checks:
                for match in pattern.finditer(text):
                    if data.covers(text, match):
                        continue
                    found.append(f"{path}: {what}: {match.group(0)!r} in {text[:120]!r}")
    return sorted(set(found))


@pytest.fixture(scope="module")
def data_texts(django_db_blocker):
    with django_db_blocker.unblock():
        return StoredTexts()


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("username", [*ROLES, ANONYMOUS])
def test_every_page_reads_right(client, demo_users, data_texts, username, language):
    if username != ANONYMOUS:
        client.force_login(demo_users[username])
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    pages = walk(client, "/" if username != ANONYMOUS else "/publik/")
    assert len(pages) >= (2 if username == ANONYMOUS else 8), sorted(pages)
    found = problems(pages, language, data_texts)
    assert not found, f"{username} ({language}), {len(found)} problems on {len(pages)} pages:\n" + "\n".join(
        found[:400]
    )
