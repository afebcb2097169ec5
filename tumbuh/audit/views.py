from datetime import datetime, time

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import urlencode

from tumbuh.accounts import policy
from tumbuh.accounts.models import User
from tumbuh.core import keyset

from . import display
from .models import AuditLog


@login_required
def audit_list(request):
    """The district admin's view of who changed what, filterable by user, object type and date."""
    policy.require(request.user, policy.VIEW, AuditLog)
    qs = policy.visible(request.user, AuditLog.objects.all())
    actor = request.GET.get("user", "")
    object_type = request.GET.get("type", "")
    date_from = parse_date(request.GET.get("from", "") or "")
    date_to = parse_date(request.GET.get("to", "") or "")
    if actor.isdigit():
        qs = qs.filter(actor_id=int(actor))
    if object_type:
        qs = qs.filter(object_type=object_type)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    # Newest first, by keyset (index audit_at_id_idx): a province's log holds a row per visit.
    page = keyset.paginate(
        qs, ("-at", "-id"), after=request.GET.get(keyset.AFTER), before=request.GET.get(keyset.BEFORE), size=50
    )
    types = (
        policy.visible(request.user, AuditLog.objects.all()).values_list("object_type", flat=True).distinct().order_by()
    )
    filters = {
        "user": actor,
        "type": object_type,
        "from": request.GET.get("from", ""),
        "to": request.GET.get("to", ""),
    }
    context = {
        "page": page,
        "page_query": urlencode({k: v for k, v in filters.items() if v}),
        "entries": display.describe(list(page.object_list), request.user),
        "users": policy.visible(request.user, User.objects.order_by("full_name", "username")),
        "types": display.type_choices(types),
        "filters": filters,
    }
    return render(request, "audit/list.html", context)
