"""The growth engine is pure Python: its tests need neither Django nor a database.

tumbuh/conftest.py has an autouse fixture that patches Django settings; overriding it here
lets these tests run with ``-p no:django`` (and without settings at all).
"""

import pytest


@pytest.fixture(autouse=True)
def _static_without_manifest():
    yield
