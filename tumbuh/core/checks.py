"""Deployment checks of our own, run by ``tumbuh check --deploy``."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secret_key_is_set(app_configs, **kwargs):
    if settings.SECRET_KEY.startswith("tumbuh-insecure-development-key"):
        return [
            Error(
                "SECRET_KEY is the development key.", hint="Set the SECRET_KEY environment variable.", id="tumbuh.E001"
            )
        ]
    return []


@register(Tags.security, deploy=True)
def demo_mode_is_off(app_configs, **kwargs):
    if settings.DEMO_MODE:
        return [
            Error("TUMBUH_DEMO is on: the login page lists demo accounts.", hint="Unset TUMBUH_DEMO.", id="tumbuh.E002")
        ]
    return []
