"""cheaper writes: entity_facets without rowid and without its (n)-ordered index; tags indexed by (kind, tag, id)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27

At 100k entities a batch of 1,000 dirtied ~12,000 pages, and SQLite's time went into those pages: each
random-order index entry lands on a page of its own. Two indexes cost more than they gave:

- `ix_entity_facets_top` moved an entry on every count change (about four per entity). Without it a
  facet reads the counts of its (field, tag, kind) range, a few thousand rows at most, and sorts them.
  On SQLite the counts table is also keyed by its primary key alone (WITHOUT ROWID): one b-tree, not two.
- `ix_entity_tags_kind_tag` (kind, tag, owner, lifecycle) put each new tag row at a random place;
  (kind, tag, entity_id) appends at the end of each (kind, tag) run and still answers kind + tag.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _facets_table(name: str, **kwargs: object) -> None:
    op.create_table(
        name,
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("tag", sa.String(length=63), nullable=False),
        sa.Column("kind", sa.String(length=63), nullable=False),
        sa.Column("value", sa.String(length=253), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("field", "tag", "kind", "value", name=op.f(f"pk_{name}")),
        **kwargs,
    )


def upgrade() -> None:
    op.drop_index("ix_entity_facets_top", table_name="entity_facets")
    if op.get_bind().dialect.name == "sqlite":
        _facets_table("entity_facets_keyed", sqlite_with_rowid=False)
        op.execute("INSERT INTO entity_facets_keyed SELECT field, tag, kind, value, n FROM entity_facets")
        op.drop_table("entity_facets")
        op.rename_table("entity_facets_keyed", "entity_facets")
    op.drop_index("ix_entity_tags_kind_tag", table_name="entity_tags")
    op.create_index("ix_entity_tags_kind_tag", "entity_tags", ["kind", "tag", "entity_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_entity_tags_kind_tag", table_name="entity_tags")
    op.create_index("ix_entity_tags_kind_tag", "entity_tags", ["kind", "tag", "owner", "lifecycle"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        _facets_table("entity_facets_rowid")
        op.execute("INSERT INTO entity_facets_rowid SELECT field, tag, kind, value, n FROM entity_facets")
        op.drop_table("entity_facets")
        op.rename_table("entity_facets_rowid", "entity_facets")
    op.create_index("ix_entity_facets_top", "entity_facets", ["field", "tag", "kind", "n", "value"], unique=False)
