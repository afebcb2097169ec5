"""``{% my_action_items %}``: the open action items a user owns (OPD staff: their OPD's; camat and
desa accounts: their kecamatan's or desa's), for the home page. The district admin sees the
district's items overdue on the page's ``today`` (the view puts it in the context) instead; other roles
see nothing."""

from django import template
from django.utils.translation import gettext as _

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role

from ..models import ActionItem

register = template.Library()

LIMIT = 10


@register.inclusion_tag("rapat/_my_action_items.html", takes_context=True)
def my_action_items(context):
    user = context["request"].user
    today = context["today"]
    items = policy.visible(user, ActionItem.objects.still_open().select_related("owner_opd", "owner_wilayah"))
    if user.role == Role.DISTRICT_ADMIN:
        return {
            "my_items": list(items.filter(due_date__lt=today)[:LIMIT]),
            "today": today,
            "my_items_title": _("Overdue action items"),
            "my_items_filter": "terbuka",
        }
    if user.role in (Role.OPD, Role.KECAMATAN, Role.DESA):
        return {
            "my_items": list(items.owned_by(user)[:LIMIT]),
            "today": today,
            "my_items_title": _("My open action items"),
            "my_items_filter": "saya",
        }
    return {"my_items": None}
