"""The demo accounts the login page lists when TUMBUH_DEMO is set (the ``login_shortcuts``
contract of ``core/contracts.py``)."""

from .accounts import DEMO_ACCOUNTS as ACCOUNTS
from .accounts import DEMO_PASSWORD as PASSWORD

__all__ = ["ACCOUNTS", "PASSWORD"]
