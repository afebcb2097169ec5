"""The two ways an import says no: one row (``RowError``) or the whole file (``ImportFileError``).

Both carry an English msgid (mark it with ``gettext_noop`` where it is raised) and its
parameters, so the text is translated when shown, not when stored."""

from __future__ import annotations

from django.utils.translation import gettext

from tumbuh.core.numbers import message_params


class _Reason(Exception):
    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message = message
        self.params = params

    def text(self) -> str:
        text = gettext(self.message)
        return text % message_params(self.params) if self.params else text

    def __str__(self) -> str:
        return self.message % self.params if self.params else self.message


class RowError(_Reason):
    """This row is refused for one reason; the rest of the file goes on."""


class ImportFileError(_Reason):
    """The file cannot be read as this kind of list at all (no header row, wrong format)."""
