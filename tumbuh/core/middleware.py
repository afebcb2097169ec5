"""Indonesian first: the language is the one the user chose (the language cookie set by the
switch in the header), else Bahasa Indonesia, whatever the browser's Accept-Language says.
Many district laptops run an English browser for users who work in Indonesian."""

from django.conf import settings
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
        if match is None or match.namespace not in PUBLIC_NAMESPACES:
            return False
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return True  # no session, so nobody logged in: the session is left untouched (no Vary: Cookie)
        user = getattr(request, "user", None)
        return not (user is not None and user.is_authenticated)
