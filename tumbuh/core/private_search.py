"""Search forms whose words may hold a NIK: posted, kept in the session, never in a URL.

A GET search puts what was typed into the address, and so into the browser's history and
the reverse proxy's access log. A NIK is sensitive personal data (UU PDP 27/2022; ASVS 8.3.1),
so the forms that search by NIK post instead. ``searched(request, key)`` keeps the posted
fields in the session under a short random token and redirects to ``?cari=<token>``; the list
then reads its filters from there, and its page links carry only the token. An old link with
the filters in the query string still works (a name or a Tumbuh ID there is harmless).
"""

from __future__ import annotations

import secrets

from django.http import HttpRequest, HttpResponseRedirect, QueryDict

PARAMETER = "cari"
#: What a page link carries besides the search: a page number, or a keyset page's cursor
#: (``core.keyset``).
PAGING = ("page", "after", "before")
#: The searches a session keeps (oldest dropped first): enough for a few tabs.
KEEP = 10


def searched(request: HttpRequest, key: str) -> tuple[QueryDict, HttpResponseRedirect | None]:
    """The list's filters, and a redirect to answer a posted search with (else None)."""
    store = f"search:{key}"
    if request.method == "POST":
        query = request.POST.copy()
        query.pop("csrfmiddlewaretoken", None)
        for name in PAGING:
            query.pop(name, None)
        saved = dict(request.session.get(store, {}))
        token = secrets.token_urlsafe(6)
        saved[token] = query.urlencode()
        request.session[store] = dict(list(saved.items())[-KEEP:])
        return query, HttpResponseRedirect(f"{request.path}?{PARAMETER}={token}", status=303)
    token = request.GET.get(PARAMETER)
    if token:
        encoded = request.session.get(store, {}).get(token)
        if encoded is not None:
            query = QueryDict(encoded, mutable=True)
            for name in PAGING:
                if name in request.GET:
                    query[name] = request.GET[name]
            return query, None
        return QueryDict(mutable=True), None  # an expired search: the whole list
    return request.GET.copy(), None


def page_query(request: HttpRequest, query: QueryDict) -> str:
    """What a page link carries besides ``page`` (or a keyset cursor): the token of a posted
    search, else the (harmless) filters of the query string."""
    token = request.GET.get(PARAMETER)
    if token:
        return f"{PARAMETER}={token}"
    rest = query.copy()
    for name in PAGING:
        rest.pop(name, None)
    return rest.urlencode()
