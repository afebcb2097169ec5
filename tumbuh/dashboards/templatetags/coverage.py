"""``{% load coverage %}``: mark a coverage above 100 % (``dashboards.coverage``).

``{{ value|coverage_mark }}`` gives the footnote marker (with the note as its title) or nothing;
``{% coverage_note %}`` the footnote, to show once under a table that has a marked value."""

from django import template
from django.utils.html import format_html

from tumbuh.dashboards import coverage

register = template.Library()


@register.filter
def over_full(value) -> bool:
    return coverage.over_full(value)


@register.filter
def coverage_mark(value) -> str:
    if not coverage.over_full(value):
        return ""
    return format_html(
        '<sup class="over-full" title="{}" data-testid="over-full">{}</sup>', coverage.note(), coverage.MARK
    )


@register.simple_tag
def coverage_note() -> str:
    return format_html('<p class="muted note" data-testid="over-full-note">{}</p>', coverage.note())
