"""A rubric file (TOML) read and loaded: the rubric is data, not code.

The file names the rubric (``name``, ``version``, ``basis``) and lists its criteria as
``[[criteria]]`` tables: ``aksi`` (1–8), ``code``, ``indicator`` (the question), ``weight``,
``evidence`` (what the district shows) and ``levels``, each ``{ value = …, description = … }``.
``rubrics/default.toml`` is the one Tumbuh ships. :func:`parse` reads the bytes without
executing anything (``tomllib``) and says every fault it finds, naming the line (a TOML syntax
error) or the criterion (by its place and code); :func:`load` writes a parsed rubric through
the audited actions, all or nothing.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tumbuh.audit.actions import do_save

from .models import Criterion, Level, Rubric

DEFAULT_RUBRIC = Path(__file__).with_name("rubrics") / "default.toml"
#: The largest rubric file accepted (an upload or a command's file).
MAX_BYTES = 256 * 1024
_AT_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


class RubricError(ValueError):
    """A rubric file that cannot be loaded; ``errors`` says every reason, in the reader's language."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ParsedCriterion:
    aksi: int
    code: str
    indicator: str
    weight: Decimal
    evidence: str
    levels: list[tuple[Decimal, str]] = field(default_factory=list)


@dataclass
class ParsedRubric:
    name: str
    version: str
    basis: str
    criteria: list[ParsedCriterion]


def _number(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and number >= 0 else None


def _text(table: dict, key: str) -> str:
    value = table.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def parse(data: bytes) -> ParsedRubric:
    """The rubric in ``data``, or :class:`RubricError` with every fault found."""
    if len(data) > MAX_BYTES:
        raise RubricError([_("The rubric file is larger than %(kb)d KB.") % {"kb": MAX_BYTES // 1024}])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RubricError([_("The rubric file is not UTF-8 text.")]) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        found = _AT_LINE.search(str(e))
        where = _AT_LINE.sub("", str(e)).strip()
        if found:
            message = _("The rubric file is not valid TOML: line %(line)s, column %(column)s: %(what)s.") % {
                "line": found.group(1),
                "column": found.group(2),
                "what": where,
            }
        else:
            message = _("The rubric file is not valid TOML: %(what)s.") % {"what": where}
        raise RubricError([message]) from None
    errors = []
    name, version = _text(raw, "name"), str(raw.get("version", "")).strip()
    if not name:
        errors.append(_('The rubric has no name (name = "…").'))
    if not version:
        errors.append(_('The rubric has no version (version = "…").'))
    items = raw.get("criteria")
    if not isinstance(items, list) or not items:
        errors.append(_("The rubric has no criteria ([[criteria]])."))
        items = []
    criteria, codes = [], set()
    for i, item in enumerate(items, start=1):
        code = _text(item, "code") if isinstance(item, dict) else ""
        where = _("Criterion %(n)d (code %(code)s)") % {"n": i, "code": code or "?"}
        if not isinstance(item, dict):
            errors.append(_("%(where)s: not a table.") % {"where": where})
            continue
        faults = []
        aksi = item.get("aksi")
        if isinstance(aksi, bool) or not isinstance(aksi, int) or not 1 <= aksi <= 8:
            faults.append(_("aksi must be a whole number from 1 to 8"))
        if not code:
            faults.append(_("code is missing"))
        elif code in codes:
            faults.append(_("code is used twice"))
        elif len(code) > 20:
            faults.append(_("code is longer than 20 characters"))
        codes.add(code)
        indicator = _text(item, "indicator")
        if not indicator:
            faults.append(_("indicator (the question) is missing"))
        weight = _number(item.get("weight"))
        if weight is None:
            faults.append(_("weight must be a number of at least 0"))
        levels = []
        raw_levels = item.get("levels")
        if not isinstance(raw_levels, list) or len(raw_levels) < 2:
            faults.append(_("it needs at least two levels"))
            raw_levels = []
        for j, level in enumerate(raw_levels, start=1):
            value = _number(level.get("value")) if isinstance(level, dict) else None
            description = _text(level, "description") if isinstance(level, dict) else ""
            if value is None or not description:
                faults.append(_("level %(j)d needs a value (a number of at least 0) and a description") % {"j": j})
            elif value in {v for v, _d in levels}:
                faults.append(_("level %(j)d repeats the value of another") % {"j": j})
            else:
                levels.append((value, description))
        if faults:
            errors.append(f"{where}: {'; '.join(faults)}.")
            continue
        criteria.append(ParsedCriterion(aksi, code, indicator, weight, _text(item, "evidence"), levels))
    if errors:
        raise RubricError(errors)
    return ParsedRubric(name, version, _text(raw, "basis"), criteria)


def load(actor, province, parsed: ParsedRubric, *, reason: str = "") -> Rubric:
    """Write ``parsed`` as ``province``'s rubric, all or nothing, through the audited actions.
    A rubric of the same name and version is refused: a changed rubric is a new version."""
    if Rubric.objects.filter(province=province, name=parsed.name, version=parsed.version).exists():
        raise RubricError(
            [
                _("The rubric %(name)s, version %(version)s, is loaded already: give the changed file a new version.")
                % {"name": parsed.name, "version": parsed.version}
            ]
        )
    with transaction.atomic():
        rubric = do_save(
            actor,
            Rubric(province=province, name=parsed.name, version=parsed.version, basis=parsed.basis),
            reason=reason,
        )
        for order, c in enumerate(parsed.criteria, start=1):
            criterion = do_save(
                actor,
                Criterion(
                    rubric=rubric,
                    aksi=c.aksi,
                    code=c.code,
                    order=order,
                    indicator=c.indicator,
                    weight=c.weight,
                    evidence=c.evidence,
                ),
                reason=reason,
            )
            for value, description in c.levels:
                do_save(actor, Level(criterion=criterion, value=value, description=description), reason=reason)
    return rubric


def load_file(actor, province, data: bytes, *, reason: str = "") -> Rubric:
    """Parse and load a rubric file's bytes; :class:`RubricError` says why not. A fault the
    models find (a text too long) is reported like the file's own."""
    parsed = parse(data)
    try:
        return load(actor, province, parsed, reason=reason)
    except ValidationError as e:
        raise RubricError(e.messages) from None
