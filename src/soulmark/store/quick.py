"""One-statement reads without the ORM, for the hottest path there is: a wrist poll.

Through a Session, one indexed SELECT costs about 0.6 ms of CPU: building the statement and
its cache key, the BEGIN, the ORM's result machinery.  Compiled once per dialect and run on
a pooled DBAPI connection, the same SELECT costs about 20 µs on SQLite.  A single SELECT
needs no explicit transaction: it reads one consistent snapshot by itself.

A bare connection gets none of the ORM's care when the server restarts, so this module takes
it itself (SQLAlchemy's "dealing with disconnects"): a connection that failed with a
disconnect is invalidated, and as every other pooled connection was opened before the same
restart, the pool is replaced and the read tried once more on a fresh connection.  It costs
nothing while the server stays up (no ping per read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Dialect, Engine, Select, create_engine
from sqlalchemy.exc import DBAPIError

from soulmark.observe.metrics import count_db_error
from soulmark.store.outage import connect_args

__all__ = ["Prepared", "read_engine"]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    constants: dict[str, Any]
    order: tuple[str, ...] | None
    """Parameter names in order, for drivers that take positional parameters."""


@dataclass
class Prepared:
    """A SELECT with named placeholders (``bindparam``), compiled once per dialect."""

    stmt: Select[Any]
    placeholders: dict[str, Any]
    """Each placeholder with a sample value (compiling needs one; it is never sent)."""
    _compiled: dict[str, _Compiled] = field(default_factory=dict, init=False, repr=False)

    def _for(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.stmt.compile(dialect=dialect)
            order = compiled.positiontup
            found = _Compiled(
                compiled.string,
                dict(compiled.construct_params(self.placeholders)),
                tuple(order) if order else None,
            )
            self._compiled[dialect.name] = found
        return found

    def first(self, engine: Engine, **values: Any) -> tuple[Any, ...] | None:
        """The first row (a plain tuple, driver types), or None.  Raises DBAPIError as a
        Session would (``connection_invalidated`` when the server went away)."""
        compiled = self._for(engine.dialect)
        params = {**compiled.constants, **values}
        args: Any = [params[k] for k in compiled.order] if compiled.order else params
        try:
            return _first(engine, compiled.sql, args)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
        engine.dispose()  # the other pooled connections predate the same restart
        return _first(engine, compiled.sql, args)


def _first(engine: Engine, sql: str, args: Any) -> tuple[Any, ...] | None:
    dialect = engine.dialect
    conn = None
    try:
        conn = engine.raw_connection()  # the pool's connect errors come unwrapped
        cursor = conn.cursor()
        try:
            cursor.execute(sql, args)
            row = cursor.fetchone()
        finally:
            cursor.close()
    except dialect.loaded_dbapi.Error as exc:
        count_db_error(exc)  # past the engine's own error hook (soulmark.store.db.counted)
        gone = conn is not None and dialect.is_disconnect(exc, conn.dbapi_connection, None)
        if gone and conn is not None:
            conn.invalidate(exc)  # closed, never handed out again
        raise DBAPIError.instance(
            sql,
            args,
            exc,
            dialect.loaded_dbapi.Error,
            hide_parameters=True,  # a token's hash stays out of any message
            connection_invalidated=gone,
            dialect=dialect,
        ) from exc
    finally:
        if conn is not None:
            conn.close()
    return tuple(row) if row is not None else None


def read_engine(engine: Engine) -> Engine:
    """The engine for :class:`Prepared` reads.  SQLite's connections already run without an
    implicit transaction (soulmark.store.db); PostgreSQL gets a small pool of autocommit
    connections, so a read costs one round trip instead of three (BEGIN, SELECT, ROLLBACK)."""
    if engine.dialect.name == "sqlite":
        return engine
    return create_engine(
        engine.url,
        isolation_level="AUTOCOMMIT",
        pool_reset_on_return=None,
        pool_size=8,
        connect_args=connect_args(engine.url),
    )
