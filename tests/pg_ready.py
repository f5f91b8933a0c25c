"""Exit 0 when the test PostgreSQL answers (used by the Makefile)."""

import sys

from sqlalchemy import create_engine, text

from tests.harness.pg import PG_ADMIN

try:
    engine = create_engine(PG_ADMIN, connect_args={"connect_timeout": 3})
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
except Exception:
    sys.exit(1)
sys.exit(0)
