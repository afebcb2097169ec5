"""Print a PostgreSQL URL for the test suite if a server is reachable, else nothing.

Order: $DATABASE_URL if it is a PostgreSQL URL, then postgres://postgres@127.0.0.1:5432/test
(the CI machine's server). Used by ``make test``."""

import os
import sys

CANDIDATES = [os.environ.get("DATABASE_URL", ""), "postgres://postgres@127.0.0.1:5432/test"]


def reachable(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(url.replace("postgresql://", "postgres://", 1), connect_timeout=3):
            return True
    except Exception:
        return False


for url in CANDIDATES:
    if url.startswith(("postgres://", "postgresql://")) and reachable(url):
        print(url)
        sys.exit(0)
