"""Who writes pooled visits and imports: Tumbuh itself (``tumbuh import_parquet``, run by the
provincial instance's operator) or a superuser, never a district role through the web; who sees
them: whoever's node holds their desa (``scope_path``), like any other visit."""

from __future__ import annotations

from tumbuh.accounts import policy

from .models import PooledImport, PooledVisit


def RULES():
    system_only = {policy.ADD: policy.nobody, policy.CHANGE: policy.nobody, policy.DELETE: policy.nobody}
    return {PooledImport: system_only, PooledVisit: system_only}
