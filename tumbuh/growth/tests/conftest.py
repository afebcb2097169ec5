"""The growth engine is pure Python: its tests need neither Django nor a database.

tumbuh/conftest.py has an autouse fixture that patches Django settings; overriding it here
lets these tests run with ``-p no:django`` (and without settings at all).
"""

import pytest


@pytest.fixture(autouse=True)
def _static_without_manifest():
    yield


@pytest.fixture(autouse=True)
def _kernel_selection_as_without_a_compiled_module(monkeypatch):
    """The "auto" kernel choice as on a machine without the compiled-ahead module (numba's
    JIT threshold), whether or not one is built here: test_aot.py asks for it explicitly."""
    from tumbuh.growth import _aot

    monkeypatch.setattr(_aot, "_AVAILABLE", False)
