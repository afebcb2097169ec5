"""Keyset ("seek") pagination for lists that grow to a province (issue 18).

Django's ``Paginator`` counts the whole list and reads a page with ``OFFSET``: a page deep in a
province's million children costs as much as reading every row before it (2.5 s at offset
500,000). A keyset page instead starts *after the last row shown*: ``WHERE (name, birth_date, id)
> (…) ORDER BY name, birth_date, id LIMIT 51``, which an index on those columns answers in a few
milliseconds at any depth. And a child registered between two page loads does not shift the
following page: no row is shown twice, none is skipped.

The cursor in a link is the primary key of the row the page starts after (``after``) or before
(``before``), never the sort values themselves (a child's name does not go into a URL, as the
posted search keeps a NIK out of it: ``core.private_search``). The cursor's row is read through
``cursor_queryset`` (the caller's scoped queryset), so a key outside the user's scope is just the
first page. The links a page offers: the first page, the previous and the next, as an old phone
needs. The total is counted up to :data:`COUNT_LIMIT` rows ("more than 10,000"): exact for a
district's lists, cheap for a province's.

Row comparison: Django's own tuple lookups (``django.db.models.fields.tuple_lookups``, what
composite primary keys use since 5.2): ``(a, b, c) > (x, y, z)`` on PostgreSQL, which seeks the
index; expanded into ``a > x OR (a = x AND …)`` on SQLite. The libraries on PyPI
(django-cursor-pagination, django-infinite-scroll-pagination) put the sort values in the URL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan

#: The counts a list shows exactly; beyond, "more than COUNT_LIMIT".
COUNT_LIMIT = 10_000
#: The query parameters of a keyset page (``private_search.PAGING`` carries them with a search token).
AFTER = "after"
BEFORE = "before"


@dataclass
class KeysetPage:
    """One page: its rows, and the cursors of the pages around it."""

    object_list: list
    is_first: bool
    has_previous: bool
    has_next: bool
    previous_cursor: object = None
    next_cursor: object = None
    #: The list's size, counted up to COUNT_LIMIT; ``count_is_exact`` False beyond.
    count: int = 0
    count_is_exact: bool = True

    def __iter__(self) -> Iterator:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def __getitem__(self, index):
        return self.object_list[index]

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next or not self.is_first


def _cursor(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) < 19 else None


def _directions(ordering: Sequence[str]) -> tuple[list[str], bool]:
    descending = {o.startswith("-") for o in ordering}
    if len(descending) != 1:
        raise ValueError("a keyset ordering runs one way: every field ascending or every field descending")
    fields = [o.lstrip("-") for o in ordering]
    if fields[-1] not in ("pk", "id"):
        raise ValueError("a keyset ordering ends with the primary key, which makes it total")
    return fields, descending.pop()


def paginate(
    queryset: QuerySet,
    ordering: Sequence[str],
    *,
    after=None,
    before=None,
    size: int = 50,
    cursor_queryset: QuerySet | None = None,
    count: bool = True,
) -> KeysetPage:
    """The page of ``queryset`` in ``ordering`` (all ascending or all descending, ending with the
    primary key) that starts after the row ``after`` or ends before the row ``before`` (primary
    keys; neither: the first page). ``queryset`` holds model instances or is a
    ``values_list("pk", flat=True)`` (to read the page's rows apart). ``cursor_queryset`` (default: ``queryset``) finds the cursor's row:
    a cursor it does not hold gives the first page."""
    fields, descending = _directions(ordering)
    after, before = _cursor(after), _cursor(before)
    forward_order = list(ordering)
    backward_order = [f.lstrip("-") if descending else f"-{f}" for f in ordering]
    key = Tuple(*(F(f) for f in fields))
    base = queryset.order_by(*forward_order)
    cursor_key = None
    cursor = after if after is not None else before
    if cursor is not None:
        source = cursor_queryset if cursor_queryset is not None else queryset
        cursor_key = source.filter(pk=cursor).order_by().values_list(*fields).first()
    rows: list
    if cursor_key is None:  # the first page
        rows = list(base[: size + 1])
        page = KeysetPage(rows[:size], is_first=True, has_previous=False, has_next=len(rows) > size)
    elif after is not None:
        seek = TupleLessThan if descending else TupleGreaterThan
        rows = list(base.filter(seek(key, cursor_key))[: size + 1])
        page = KeysetPage(rows[:size], is_first=False, has_previous=True, has_next=len(rows) > size)
    else:
        seek = TupleGreaterThan if descending else TupleLessThan
        rows = list(queryset.order_by(*backward_order).filter(seek(key, cursor_key))[: size + 1])
        if len(rows) <= size:  # back at the start (rows may have come or gone): the first page
            return paginate(queryset, ordering, size=size, count=count)
        rows = rows[:size][::-1]
        page = KeysetPage(rows, is_first=False, has_previous=True, has_next=True)
    if page.object_list:
        page.previous_cursor = _pk_of(page.object_list[0])
        page.next_cursor = _pk_of(page.object_list[-1])
    if count:
        n = queryset.order_by()[: COUNT_LIMIT + 1].count()
        page.count, page.count_is_exact = min(n, COUNT_LIMIT), n <= COUNT_LIMIT
    return page


def _pk_of(row):
    """A row's primary key: a model instance's, or the row itself (``values_list("pk", flat=True)``)."""
    return getattr(row, "pk", row)
