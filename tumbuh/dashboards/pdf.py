"""PDF handouts of the dashboards for the TPPS meeting (``…/pdf/`` beside each page).

A4, always in Bahasa Indonesia (whatever the reader's UI language), with a header that names
the kabupaten, the area, the period, the data source and the generation time (WITA), and
page numbers. The content is the page's own: the same view helpers compute it
(``views._prevalence_context`` …), and the charts are the same Vega-Lite specifications as on
the page, rendered to SVG by ``vl_convert`` and embedded (one chart grammar). Numbers are
formatted by Django's Indonesian locale (decimal comma, full stop for thousands).

HTML → PDF with WeasyPrint, which needs pango (Debian: ``libpango-1.0-0 libpangoft2-1.0-0``).
Without it the export answers 503 with the reason; the rest of Tumbuh does not need it.
"""

from __future__ import annotations

import base64
import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from tumbuh.wilayah.models import Wilayah

#: The language of every handout.
LANGUAGE = "id"
#: The time zone of the generation time (Luwu Timur: WITA).
TIME_ZONE = "Asia/Makassar"
#: The bar chart of a long ranking shows the highest areas only (an image cannot break across pages).
MAX_BARS = 40


def weasyprint_error() -> str | None:
    """None when WeasyPrint and its system libraries (pango) load, else why not."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as e:  # OSError: cannot load library 'libpango-1.0-0'
        return f"{type(e).__name__}: {e}"
    return None


def generated_at(now: dt.datetime) -> str:
    """``now`` as '25 November 2026 pukul 17.04 WITA' (in the active language, Asia/Makassar)."""
    local = timezone.localtime(now, ZoneInfo(TIME_ZONE))
    return _("%(date)s at %(time)s %(zone)s") % {
        "date": date_format(local, "j F Y"),
        "time": local.strftime("%H.%M"),
        "zone": local.tzname(),
    }


def svg_img(svg: str) -> str:
    """An inline SVG as an ``<img>`` data URI (WeasyPrint draws it as vectors)."""
    if not svg:
        return ""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _kabupaten_name(request, scope) -> str:
    from .views import _kabupaten_of

    code = _kabupaten_of(scope, request.user)
    w = Wilayah.objects.filter(code=code).first() if code else None
    return w.label if w else "—"


def render_handout(request, template: str, context: dict, filename: str) -> HttpResponse:
    """The handout: ``template`` (extending ``dashboards/pdf/base.html``) rendered with
    ``context`` (which needs ``scope``, with ``within`` and ``period``, ``title`` and
    ``area_label``) and the header's kabupaten, data source and generation time, as a PDF
    attachment; 503 when WeasyPrint cannot load."""
    error = weasyprint_error()
    if error:
        return HttpResponse(
            _("PDF export is not available on this server: %(error)s") % {"error": error},
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    from weasyprint import HTML

    scope = context["scope"]
    page_label = (
        _("Page {page} of {pages}").replace("{page}", '" counter(page) "').replace("{pages}", '" counter(pages) "')
    )
    context = {
        **context,
        "kabupaten_name": _kabupaten_name(request, scope),
        "generated_at": generated_at(timezone.now()),
        "page_label_css": f'"{page_label}"',
        "data_source": _(
            "routine posyandu data (e-PPGBM/Tumbuh); z-scores: WHO Child Growth Standards 2006, Tumbuh's growth engine"
        ),
    }
    html = render_to_string(template, context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def in_indonesian(build):
    """Compute and render in Indonesian: labels, periods and chart titles are translated when
    the figures are gathered, not only in the template."""

    def view(request):
        with translation.override(LANGUAGE):
            return build(request)

    view.__name__ = build.__name__
    view.__doc__ = build.__doc__
    return login_required(view)


@in_indonesian
def prevalence_pdf(request):
    """The prevalence dashboard as a handout (same query string as the page)."""
    from .views import _prevalence_context

    ctx = _prevalence_context(request, max_bars=MAX_BARS)
    ctx["bars_img"], ctx["trend_img"] = svg_img(ctx["bars_svg"]), svg_img(ctx["trend_svg"])
    ctx["max_bars"] = MAX_BARS
    ctx["bars_limited"] = len([r for r in ctx["rows"] if r.r is not None]) > MAX_BARS
    scope = ctx["scope"]
    return render_handout(
        request,
        "dashboards/pdf/prevalence.html",
        ctx,
        f"prevalensi-{scope.indicator}-{scope.level}-{scope.period.key}.pdf",
    )


@in_indonesian
def quality_pdf(request):
    """The data-quality page as a handout."""
    from .views import _quality_context

    ctx = _quality_context(request)
    return render_handout(request, "dashboards/pdf/quality.html", ctx, f"kualitas-data-{ctx['scope'].period.key}.pdf")


@in_indonesian
def targets_pdf(request):
    """The targets and AARR page as a handout."""
    from .views import _targets_context

    ctx = _targets_context(request)
    return render_handout(
        request, "dashboards/pdf/targets.html", ctx, f"target-{ctx['scope'].indicator}-{ctx['now'].key}.pdf"
    )
