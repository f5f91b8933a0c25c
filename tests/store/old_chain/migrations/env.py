"""Alembic environment for the frozen pre-0.2.0 chain: runs on the connection the test hands
over, as the store's own environment does (soulmark.store.migrations.env)."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=None,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
