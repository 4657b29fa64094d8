"""facet indexes: (kind, owner), (kind, lifecycle), and the entity's kind on entity_tags

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Facets of one kind (owner, lifecycle, tag counts with `kind=`) read an index alone instead of every
entity of that kind: at 100k entities, ~10 ms instead of ~100-500 ms.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entities") as batch_op:
        batch_op.create_index("ix_entities_kind_owner", ["kind", "owner"], unique=False)
        batch_op.create_index("ix_entities_kind_lifecycle", ["kind", "lifecycle"], unique=False)
    with op.batch_alter_table("entity_tags") as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=63), server_default="", nullable=False))
    op.execute("UPDATE entity_tags SET kind = (SELECT kind FROM entities WHERE entities.id = entity_tags.entity_id)")
    with op.batch_alter_table("entity_tags") as batch_op:
        batch_op.create_index("ix_entity_tags_kind_tag", ["kind", "tag"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("entity_tags") as batch_op:
        batch_op.drop_index("ix_entity_tags_kind_tag")
        batch_op.drop_column("kind")
    with op.batch_alter_table("entities") as batch_op:
        batch_op.drop_index("ix_entities_kind_lifecycle")
        batch_op.drop_index("ix_entities_kind_owner")
