"""The evidence pack for the provincial assessment (penilaian kinerja): for a year and one
action, or every action of the year, one zip that holds every document Tumbuh has for it, in
a folder named as the action is named ("Aksi 3 - Rembuk Stunting/01 Berita acara.pdf"), with
an ``index.html`` the secretariat and the province open on any laptop.

What goes in is what :func:`tumbuh.aksi.outputs.collect` lists for the user, plus the files
uploaded on the action page itself. A generated document is built by calling the view its
link points to, as the same user with the same session and query (the view asks the policy
again, so nothing outside the user's scope slips in); an uploaded one is read from storage
after the policy's own check. A web page (format "HTML"), a link that answers 403/404 or
redirects, a build that fails, or a file that is not what its format says, is listed in the
index as not included with the reason; it never stops the rest of the pack.

The pack is written in Indonesian whatever the reader's UI language, like the official
documents it carries: it is made for the province. The zip is written to a temporary file,
never held in memory as a whole.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import IO
from urllib.parse import quote, urlsplit

from django.contrib.messages.storage import default_storage
from django.core.exceptions import PermissionDenied
from django.core.handlers.wsgi import WSGIRequest
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils import timezone, translation
from django_htmx.middleware import HtmxDetails

from tumbuh.accounts import policy
from tumbuh.core import focus
from tumbuh.documents.models import UploadedDocument
from tumbuh.documents.official import LANGUAGE

from . import checklist
from . import outputs as aksi_outputs
from .models import ActionYear
from .outputs import UPLOADED, Output

log = logging.getLogger(__name__)

#: Characters Windows refuses in a file name, and control characters.
_FORBIDDEN = re.compile(r'[<>"|?*\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
#: What a file of each format starts with: a PDF is "%PDF", Office Open XML files are zips.
_MAGIC = {"PDF": b"%PDF", "DOCX": b"PK\x03\x04", "XLSX": b"PK\x03\x04", "ODT": b"PK\x03\x04"}
_CHUNK = 1024 * 1024


class Omit(Exception):
    """A document that cannot go into the pack, with the reason the index gives."""


@dataclass
class PackedFile:
    number: int
    path: str  #: the name in the zip, with its folder
    output: Output
    format: str
    date: datetime.datetime
    sha256: str
    size: int

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def href(self) -> str:
        """The link from ``index.html`` to the file beside it."""
        return quote(self.path, safe="/")


@dataclass
class Omitted:
    number: int
    output: Output
    format: str
    reason: str
    url: str  #: the absolute link, to open it in Tumbuh


@dataclass
class ActionPack:
    action: ActionYear
    folder: str
    checklist: list  #: ``aksi.checklist.Line``s, each proof with its full address
    files: list[PackedFile] = field(default_factory=list)
    omitted: list[Omitted] = field(default_factory=list)


@dataclass
class EvidencePack:
    file: IO[bytes]  #: the zip, open and at its start; whoever sends it closes it
    filename: str
    actions: list[ActionPack]


# ---------------------------------------------------------------- names


def safe_name(text: str, limit: int = 100) -> str:
    """``text`` as one file or folder name every system accepts: no path separators, no
    characters Windows refuses, no leading dots, no reserved device names, at most ``limit``
    characters."""
    text = unicodedata.normalize("NFC", str(text))
    text = re.sub(r"\s+", " ", text.replace(":", " -").replace("/", "-").replace("\\", "-"))
    text = re.sub(r"\.{2,}", ".", _FORBIDDEN.sub("", text)).strip(" .-")
    text = text[:limit].rstrip(" .")
    if text.split(".")[0].strip().upper() in _RESERVED:
        text = f"_{text}"
    return text or "dokumen"


def action_folder(action: ActionYear) -> str:
    """The action as Aksi Bangda's menu names it: "Aksi 3 - Rembuk Stunting"."""
    return safe_name(f"Aksi {action.definition.number} - {action.definition.name}", limit=80)


def region_name(kabupaten, short: bool = False) -> str:
    """ "Kabupaten Luwu Timur" ("Kab Luwu Timur" when ``short``), "Kota Palopo"."""
    name = kabupaten.name
    if kabupaten.kind != "kota" and not name.lower().startswith("kabupaten "):
        name = f"Kabupaten {name}"
    return re.sub(r"^kabupaten ", "Kab ", name, flags=re.I) if short else name


def pack_filename(actions: list[ActionYear], kabupaten, year: int) -> str:
    """``Bukti Aksi 3 Rembuk Stunting 2026 - Kab Luwu Timur.zip``, or for the whole year
    ``Bukti Aksi Konvergensi 2026 - Kab Luwu Timur.zip``."""
    if len(actions) == 1:
        what = f"Aksi {actions[0].definition.number} {actions[0].definition.name}"
    else:
        what = "Aksi Konvergensi"
    return safe_name(f"Bukti {what} {year} - {region_name(kabupaten, short=True)}", limit=150) + ".zip"


class _Names:
    """Unique names in the zip, compared as Windows compares them (ignoring case)."""

    def __init__(self):
        self.taken: set[str] = set()

    def claim(self, folder: str, stem: str, ext: str) -> str:
        suffix = f".{ext}" if ext else ""
        n = 1
        while True:
            path = f"{folder}/{stem}{f' ({n})' if n > 1 else ''}{suffix}"
            if path.casefold() not in self.taken:
                self.taken.add(path.casefold())
                return path
            n += 1


def _extension(fmt: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fmt.lower())[:8]


# ---------------------------------------------------------------- fetching one document


def _internal_request(request, path: str, query: str, kabupaten) -> WSGIRequest:
    """A GET of ``path`` as ``request``'s user, with its session: what following the link does.

    A superuser's pages are about the district of the region picker's focus, so theirs is a
    copy of the session focused on ``kabupaten``."""
    environ = {key: value for key, value in request.META.items() if not key.startswith("wsgi.")}
    environ.update(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_LENGTH": "0",
            "wsgi.input": io.BytesIO(b""),
            "SCRIPT_NAME": request.META.get("SCRIPT_NAME", ""),
        }
    )
    environ.pop("CONTENT_TYPE", None)
    internal = WSGIRequest(environ)
    internal.user = request.user
    internal.session = request.session
    if policy.is_global(request.user):
        internal.session = {**dict(request.session.items()), focus.SESSION_KEY: kabupaten.code}
    internal._messages = default_storage(internal)  # a message a view leaves is dropped, not shown later
    internal.LANGUAGE_CODE = translation.get_language()
    internal.htmx = HtmxDetails(internal)
    internal.csrf_processing_done = True
    return internal


def _resolve(url: str):
    parts = urlsplit(url)
    path = parts.path
    prefix = get_script_prefix()
    if prefix != "/" and path.startswith(prefix):
        path = "/" + path[len(prefix) :]
    try:
        return resolve(path), path, parts.query
    except Resolver404:
        raise Omit("tautannya tidak menuju halaman Tumbuh mana pun") from None


def _spool(chunks, fmt: str) -> tuple[IO[bytes], str, int]:
    """The bytes of ``chunks`` in a temporary file, with their SHA-256 and size; checked to
    start as a file of ``fmt`` starts (when ``fmt`` is one whose start is known)."""
    spool = tempfile.SpooledTemporaryFile(max_size=_CHUNK)
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        for chunk in chunks:
            if isinstance(chunk, str):
                chunk = chunk.encode()
            digest.update(chunk)
            spool.write(chunk)
            if len(head) < 8:
                head += chunk[:8]
            size += len(chunk)
    except BaseException:
        spool.close()
        raise
    magic = _MAGIC.get(fmt.upper())
    if magic and not head.startswith(magic) or not size:
        spool.close()
        raise Omit(f"hasilnya bukan berkas {fmt} yang sah" if size else "hasilnya kosong")
    spool.seek(0)
    return spool, digest.hexdigest(), size


def _release(response) -> None:
    """Close what the response holds open (a FileResponse's file), as ``response.close()`` does,
    but without sending ``request_finished``: that would close the database connection in the
    middle of this request."""
    for close in getattr(response, "_resource_closers", ()):
        close()
    response._resource_closers = []


def _build(url: str, fmt: str, request, kabupaten) -> tuple[IO[bytes], str, int]:
    """Follow ``url`` as the user does and keep the file it answers with."""
    match, path, query = _resolve(url)
    internal = _internal_request(request, path, query, kabupaten)
    internal.resolver_match = match
    try:
        with transaction.atomic():  # a failing build leaves the connection usable for the next
            response = match.func(internal, *match.args, **match.kwargs)
            if hasattr(response, "render") and callable(response.render):
                response.render()
            try:
                if response.status_code in (403, 404):
                    raise Omit(f"tidak tersedia untuk pengguna ini (HTTP {response.status_code})")
                if 300 <= response.status_code < 400:
                    raise Omit("tautannya mengalihkan ke halaman lain, bukan berkas")
                if response.status_code != 200:
                    raise Omit(f"gagal dibuat (HTTP {response.status_code})")
                if response.get("Content-Type", "").startswith("text/html"):
                    raise Omit("hasilnya halaman web, bukan berkas")
                chunks = response.streaming_content if response.streaming else [response.content]
                return _spool(chunks, fmt)
            finally:
                _release(response)
    except Http404:
        raise Omit("tidak ditemukan atau di luar wilayah pengguna ini (HTTP 404)") from None
    except PermissionDenied:
        raise Omit("peran pengguna ini tidak berhak melihatnya (HTTP 403)") from None
    except Omit:
        raise
    except Exception:
        log.exception("evidence pack: building %s failed", url)
        raise Omit("gagal dibuat karena galat di Tumbuh; coba unduh dari tautannya") from None


def _uploaded(url: str, user) -> tuple[UploadedDocument, IO[bytes], str, int]:
    """An uploaded file, after the same check as ``documents:download``."""
    match, _path, _query = _resolve(url)
    if match.view_name != "documents:download":
        raise Omit("tautannya bukan berkas unggahan")
    try:
        document = policy.get_object_or_404(user, UploadedDocument, pk=match.kwargs["pk"])
    except Http404:
        raise Omit("tidak ditemukan atau di luar wilayah pengguna ini") from None
    try:
        with document.file.open("rb") as f:
            spool, sha256, size = _spool(iter(lambda: f.read(_CHUNK), b""), "")  # as filed, whatever it holds
    except OSError:
        log.exception("evidence pack: %s is missing from storage", document.file.name)
        raise Omit("berkasnya tidak ada di penyimpanan") from None
    return document, spool, sha256, size


# ---------------------------------------------------------------- the pack


def _action_documents(action: ActionYear, user) -> list[Output]:
    """The files uploaded on the action page itself (not through a Tumbuh page)."""
    docs = (
        policy.visible(user, UploadedDocument.for_object(action))
        .select_related("uploaded_by")
        .order_by("uploaded_at", "pk")
    )
    return [
        aksi_outputs.uploaded(
            action.definition.page,
            d,
            group="Dokumen yang diunggah pada halaman aksi",
            note=f"diunggah oleh {d.uploaded_by} pada {aksi_outputs.day(d.uploaded_at)}",
        )
        for d in docs
    ]


def _add(zf: zipfile.ZipFile, path: str, spool: IO[bytes], size: int, at: datetime.datetime) -> None:
    info = zipfile.ZipInfo(path, date_time=timezone.localtime(at).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.file_size = size
    with spool, zf.open(info, "w") as target:
        shutil.copyfileobj(spool, target, _CHUNK)


def _checklist(action: ActionYear, user, request, at, proofs) -> list[checklist.Line]:
    """The action's checklist as the action page shows it on the day of ``at``, each proof
    linked by its full address (the index is opened outside Tumbuh)."""
    found = checklist.lines(action, user, today=timezone.localdate(at), proofs=proofs)
    for line in found:
        line.proofs = [replace(p, url=request.build_absolute_uri(p.url)) for p in line.proofs]
    return found


def _pack_action(
    zf, names: _Names, action: ActionYear, listed: list[Output], user, request, at, proofs=None
) -> ActionPack:
    folder = action_folder(action)
    pack = ActionPack(action=action, folder=folder, checklist=_checklist(action, user, request, at, proofs))
    titles = Counter(o.title for o in listed)
    width = max(2, len(str(len(listed))))
    for number, output in enumerate(listed, start=1):
        label = output.title if titles[output.title] == 1 or not output.group else f"{output.title} - {output.group}"
        stem = f"{number:0{width}d} {safe_name(label)}"
        for fmt, url in ((output.format, output.url), *output.also):
            try:
                if fmt.upper() == "HTML":
                    raise Omit("halaman web, bukan berkas: buka tautannya")
                if output.kind == UPLOADED:
                    document, spool, sha256, size = _uploaded(url, user)
                    ext, date = _extension(PurePath(document.file.name).suffix), document.uploaded_at
                else:
                    spool, sha256, size = _build(url, fmt, request, action.cycle.kabupaten)
                    ext, date = _extension(fmt), at
            except Omit as e:
                pack.omitted.append(Omitted(number, output, fmt, str(e), request.build_absolute_uri(url)))
                continue
            path = names.claim(folder, stem, ext)
            _add(zf, path, spool, size, at)
            pack.files.append(PackedFile(number, path, output, fmt, date, sha256, size))
    return pack


def _index(kabupaten, year: int, packs: list[ActionPack], user, at) -> bytes:
    """The index, in the active language (Indonesian: see :func:`build_evidence_pack`)."""
    return render_to_string(
        "aksi/evidence_index.html",
        {
            "kabupaten": kabupaten,
            "year": year,
            "packs": packs,
            "user": user,
            "at": at,
            "region": region_name(kabupaten),
        },
    ).encode()


def build_evidence_pack(actions: list[ActionYear], user, request, *, at: datetime.datetime) -> EvidencePack:
    """The zip of every document ``user`` may see for ``actions`` (one district's year, in the
    order given), each action in its own folder, with ``index.html``; built at ``at``.

    The caller has checked that ``user`` may view each action (``policy.get_object_or_404``)."""
    if not actions:
        raise ValueError("no action to pack")
    kabupaten, year = actions[0].cycle.kabupaten, actions[0].cycle.year
    if any(a.cycle_id != actions[0].cycle_id for a in actions):
        raise ValueError("the actions of one district's year only")
    target = tempfile.TemporaryFile()
    try:
        with translation.override(LANGUAGE), zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
            produced = aksi_outputs.collect_all(kabupaten, year, user)
            proofs = aksi_outputs.collect_proofs(
                kabupaten, year, user, today=timezone.localdate(at), keys=checklist.keys_of(actions)
            )
            names, packs = _Names(), []
            for action in actions:
                listed = list(produced.get(action.definition.page, [])) if action.definition.page else []
                listed += _action_documents(action, user)
                packs.append(_pack_action(zf, names, action, listed, user, request, at, proofs))
            index = zipfile.ZipInfo("index.html", date_time=timezone.localtime(at).timetuple()[:6])
            zf.writestr(index, _index(kabupaten, year, packs, user, at), compress_type=zipfile.ZIP_DEFLATED)
        target.seek(0)
    except BaseException:
        target.close()
        raise
    return EvidencePack(file=target, filename=pack_filename(actions, kabupaten, year), actions=packs)
