"""Alembic environment: runs on the connection the store hands over (see soulmark.store.db)."""

from alembic import context

import soulmark.store.notice_models  # noqa: F401  (the notices tables join the metadata)
import soulmark.store.organizer_models  # noqa: F401  (co-organizers, their log, reports)
import soulmark.store.push_models  # noqa: F401  (the push subscriptions join the metadata)
import soulmark.store.session_models  # noqa: F401  (the signed-in devices join the metadata)
from soulmark.store import (
    changes,  # noqa: F401  (the change log joins the metadata)
    link_models,  # noqa: F401  (the private links' tables join the metadata)
)
from soulmark.store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
