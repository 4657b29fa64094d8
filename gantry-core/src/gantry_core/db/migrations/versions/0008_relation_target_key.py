"""relations: reverse lookups through a 64-bit key of the target instead of its three strings

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27

`ix_entity_relations_target` (target_kind, target_namespace, target_name, type) was the largest index of
the catalog (~21 MB at 100k entities) and every relation row went into it at a random place: a batch of
1,000 entities dirtied ~3,900 of its pages, a third of all the pages the batch wrote. The graph's
reverse lookups now go through `target_key` (catalog.relations.target_key), an index a third the size.
Filled here for the rows already stored.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gantry_core.catalog.relations import target_key

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_CHUNK = 5_000


def upgrade() -> None:
    op.add_column("entity_relations", sa.Column("target_key", sa.BigInteger(), nullable=True))
    conn = op.get_bind()
    relations = sa.table(
        "entity_relations",
        sa.column("id"),
        sa.column("target_kind"),
        sa.column("target_namespace"),
        sa.column("target_name"),
        sa.column("target_key"),
    )
    fill = sa.update(relations).where(relations.c.id == sa.bindparam("rid")).values(target_key=sa.bindparam("key"))
    last = 0
    while True:
        rows = conn.execute(
            sa.select(relations.c.id, relations.c.target_kind, relations.c.target_namespace, relations.c.target_name)
            .where(relations.c.id > last)
            .order_by(relations.c.id)
            .limit(_CHUNK)
        ).all()
        if not rows:
            break
        conn.execute(fill, [{"rid": r[0], "key": target_key(r[1], r[2], r[3])} for r in rows])
        last = rows[-1][0]
    with op.batch_alter_table("entity_relations") as batch_op:
        batch_op.alter_column("target_key", existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_index("ix_entity_relations_target")
        batch_op.create_index("ix_entity_relations_target_key", ["target_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("entity_relations") as batch_op:
        batch_op.drop_index("ix_entity_relations_target_key")
        batch_op.create_index(
            "ix_entity_relations_target", ["target_kind", "target_namespace", "target_name", "type"], unique=False
        )
        batch_op.drop_column("target_key")
