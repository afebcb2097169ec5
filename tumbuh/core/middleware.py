"""Indonesian first: the language is the one the user chose (the language cookie set by the
switch in the header), else Bahasa Indonesia, whatever the browser's Accept-Language says.
Many district laptops run an English browser for users who work in Indonesian."""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY as USER_ID_KEY
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class IndonesianFirstLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


#: URL namespaces whose pages are public by design (issue 15): they may be cached, for visitors
#: who are not logged in. Static files never reach this middleware (WhiteNoise answers first).
PUBLIC_NAMESPACES = frozenset({"publik"})
#: URL namespaces that serve public reference data and never anything about a person (issue 16:
#: the WHO growth tables of the offline page): their responses keep the cache headers their views
#: set, for every visitor, logged in or not.
PUBLIC_DATA_NAMESPACES = frozenset({"luring:who"})


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every page and export that may hold children's data.

    A browser or proxy must not keep a copy of a child's page, a dashboard or an Excel export on
    a shared district laptop. Everything is ``no-store`` except the explicitly public pages
    (``PUBLIC_NAMESPACES``) seen by a visitor who is not logged in; a view that already said
    ``no-store`` keeps its own header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self._may_cache(request):
            return response
        current = response.get("Cache-Control", "")
        if "no-store" not in current.lower():
            response["Cache-Control"] = "no-store, private"
            if "Expires" in response:
                del response["Expires"]
        return response

    @staticmethod
    def _may_cache(request) -> bool:
        match = getattr(request, "resolver_match", None)
        if match is not None and match.namespace in PUBLIC_DATA_NAMESPACES:
            return True
        if match is None or match.namespace not in PUBLIC_NAMESPACES:
            return False
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return True  # no session, so nobody logged in: the session is left untouched (no Vary: Cookie)
        user = getattr(request, "user", None)
        return not (user is not None and user.is_authenticated)


#: A logged-in session is saved again (its idle timeout moved on) at most this often.
SESSION_REFRESH_SECONDS = 300
_REFRESHED = "_tumbuh_refreshed"


class SlidingSessionMiddleware:
    """Keep the idle timeout (``SESSION_COOKIE_AGE``) sliding without a write per page view.

    Sessions are saved only when they change (``SESSION_SAVE_EVERY_REQUEST`` is off: on SQLite
    every write waits for the others, an import's too). A logged-in session is marked changed
    at most once every ``SESSION_REFRESH_SECONDS`` (a timestamp in it), so it is saved then and
    its expiry moves on: it ends after the idle time, give or take those few minutes. Placed
    right after ``SessionMiddleware``, so its save sees the mark."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.every = min(SESSION_REFRESH_SECONDS, max(1, settings.SESSION_COOKIE_AGE // 10))

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and USER_ID_KEY in session:  # logged in (not flushed)
            now = int(time.time())
            if now - session.get(_REFRESHED, 0) >= self.every:
                session[_REFRESHED] = now
        return response
