"""entity_facets: counts per kind, tag, field and value, kept by the write path

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

The catalog's facets for no filter, a kind, a tag or both are read from these counts, in time
proportional to the number of distinct values instead of the number of entities. Filled here from the
entities already stored; from then on every write keeps them (catalog/facet_counts.py).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: (kind, tag, field, value, n) per kind; the rows for any kind ('') are summed from them afterwards.
_FILL = [
    "SELECT kind, '', '*', '', count(*) FROM entities GROUP BY kind",
    "SELECT kind, '', 'namespace', namespace, count(*) FROM entities GROUP BY kind, namespace",
    "SELECT kind, '', 'owner', owner, count(*) FROM entities WHERE owner <> '' GROUP BY kind, owner",
    "SELECT kind, '', 'lifecycle', lifecycle, count(*) FROM entities WHERE lifecycle <> '' GROUP BY kind, lifecycle",
    "SELECT kind, '', 'tag', tag, count(*) FROM entity_tags GROUP BY kind, tag",
    "SELECT kind, tag, '*', '', count(*) FROM entity_tags GROUP BY kind, tag",
    "SELECT t.kind, t.tag, 'namespace', e.namespace, count(*) FROM entity_tags t"
    " JOIN entities e ON e.id = t.entity_id GROUP BY t.kind, t.tag, e.namespace",
    "SELECT kind, tag, 'owner', owner, count(*) FROM entity_tags WHERE owner <> '' GROUP BY kind, tag, owner",
    "SELECT kind, tag, 'lifecycle', lifecycle, count(*) FROM entity_tags"
    " WHERE lifecycle <> '' GROUP BY kind, tag, lifecycle",
]


def upgrade() -> None:
    op.create_table(
        "entity_facets",
        sa.Column("field", sa.String(length=16), nullable=False),
        sa.Column("tag", sa.String(length=63), nullable=False),
        sa.Column("kind", sa.String(length=63), nullable=False),
        sa.Column("value", sa.String(length=253), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("field", "tag", "kind", "value", name=op.f("pk_entity_facets")),
    )
    for select in _FILL:
        op.execute(f"INSERT INTO entity_facets (kind, tag, field, value, n) {select}")
    op.execute(
        "INSERT INTO entity_facets (kind, tag, field, value, n)"
        " SELECT '', tag, field, value, sum(n) FROM entity_facets GROUP BY tag, field, value"
    )
    op.create_index("ix_entity_facets_top", "entity_facets", ["field", "tag", "kind", "n", "value"], unique=False)


def downgrade() -> None:
    op.drop_table("entity_facets")
