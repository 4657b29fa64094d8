"""PostgreSQL: the fuzzy-name trigram index on lower(name) instead of name

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

PostgreSQL can use a trigram GIN index for `name = ANY(...)` and, with fresh statistics, prefers it to the
unique (kind, namespace, name) index for the lookups of a relations graph — at a cost of a second for a
hundred names at 10k entities. On lower(name) (trigrams ignore case, so fuzzy matching is unchanged)
only the fuzzy search, which asks for `lower(name) % :raw`, can use it. SQLite: nothing to do.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_entities_search_name_trgm")
    op.execute("CREATE INDEX ix_entities_search_name_trgm ON entities USING GIN (lower(name) gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_entities_search_name_trgm")
    op.execute("CREATE INDEX ix_entities_search_name_trgm ON entities USING GIN (name gin_trgm_ops)")
