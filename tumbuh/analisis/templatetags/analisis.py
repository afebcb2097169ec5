from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """``mapping|get:key`` (coverage cells by indicator code, saved decisions by desa)."""
    return mapping.get(key) if mapping else None
