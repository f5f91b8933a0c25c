"""The store: the core mapped to tables with SQLAlchemy 2, migrated with Alembic."""

from soulmark.store.db import Store, default_url, migrate_store, open_store

__all__ = ["Store", "default_url", "migrate_store", "open_store"]
