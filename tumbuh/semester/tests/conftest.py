"""The PDF reader fixture shared with the meeting tests."""

from tumbuh.rapat.tests.conftest import pdftext  # noqa: F401
