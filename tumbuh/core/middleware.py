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
