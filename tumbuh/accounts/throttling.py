"""Login throttling: django-axes with a limit per counter (docs/security.md, "Login throttling").

Axes keeps one row of failures per account, address and browser, and locks a login when one
of its counters (``AXES_LOCKOUT_PARAMETERS``) reaches ``AXES_FAILURE_LIMIT`` within the
cool-off. It has one limit for all counters; Tumbuh needs three (``LOGIN_FAILURE_LIMITS``):

- one account from one address: a few wrong passwords, then that pair waits;
- one address, any accounts: more, to stop one password sprayed across many accounts;
- one account, any addresses: more again, to stop guessing from many addresses. One address
  can add at most the first limit to it before its pair is locked, and a refused attempt
  is not counted (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``), so no single
  stranger can lock someone else's account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings

#: The counters, in the words of the lockout page (accounts/locked_out.html).
PAIR, ADDRESS, ACCOUNT = "pair", "address", "account"
RULES = {("ip_address", "username"): PAIR, ("ip_address",): ADDRESS, ("username",): ACCOUNT}


def _key(parameter) -> tuple[str, ...]:
    return tuple(sorted([parameter] if isinstance(parameter, str) else parameter))


@dataclass(frozen=True)
class Counter:
    rule: str  # PAIR, ADDRESS or ACCOUNT
    failures: int
    limit: int
    until: datetime | None  # when the lock ends, if locked

    @property
    def locked(self) -> bool:
        return self.failures >= self.limit


class ThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler, with its own limit for each counter."""

    def counters(self, request, credentials=None) -> list[Counter]:
        """Each counter's failures within the cool-off, its limit, and when its lock ends."""
        cool_off = get_cool_off(request)
        found = []
        parameters = get_lockout_parameters(request, credentials)
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials)):
            key = _key(parameter)
            limit = settings.LOGIN_FAILURE_LIMITS[key]
            # Newest first: the lock lasts until the row that brings the sum to the limit ages
            # out of the cool-off, since only rows younger than the cool-off are summed.
            total, until = 0, None
            for failures, at in attempts.order_by("-attempt_time").values_list("failures_since_start", "attempt_time"):
                total += failures
                if until is None and total >= limit and cool_off:
                    until = at + cool_off
            found.append(Counter(RULES.get(key, PAIR), total, limit, until))
        return found

    def get_failures(self, request, credentials=None) -> int:
        """On Axes' single scale: ``AXES_FAILURE_LIMIT`` minus the fewest failures any counter
        still allows, so Axes locks exactly when one counter reaches its own limit."""
        counters = self.counters(request, credentials)
        if not counters:
            return 0
        return settings.AXES_FAILURE_LIMIT - min(c.limit - c.failures for c in counters)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A right password forgives this account's failures from this address only. Axes would
        reset every counter of the login: an insider's own login would clear their address's
        spray count, and the admin's login the failures a stranger made on the admin."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address).delete()
        return count
