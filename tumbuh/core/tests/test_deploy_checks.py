import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError


def test_the_development_key_fails_the_deploy_check(settings):
    settings.SECRET_KEY = "tumbuh-insecure-development-key-do-not-use-in-production"
    with pytest.raises(SystemCheckError, match="tumbuh.E001"):
        call_command("check", deploy=True, fail_level="ERROR")


def test_demo_mode_fails_the_deploy_check(settings):
    settings.SECRET_KEY = "a-real-key-" + "x9" * 30
    settings.DEMO_MODE = True
    with pytest.raises(SystemCheckError, match="tumbuh.E002"):
        call_command("check", deploy=True, fail_level="ERROR")
