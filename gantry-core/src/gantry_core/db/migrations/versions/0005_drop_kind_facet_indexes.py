"""drop (kind, owner) and (kind, lifecycle): facets of one kind read entity_facets now

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27

Migration 0002 added these two indexes so that owner and lifecycle facets of one kind could be counted
from an index alone. Those facets are read from the counts the write path keeps (0004), so the indexes
only cost every write two more b-tree inserts; other filters use the (owner, kind, name) and
(lifecycle, kind, name) indexes.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entities") as batch_op:
        batch_op.drop_index("ix_entities_kind_owner")
        batch_op.drop_index("ix_entities_kind_lifecycle")


def downgrade() -> None:
    with op.batch_alter_table("entities") as batch_op:
        batch_op.create_index("ix_entities_kind_owner", ["kind", "owner"], unique=False)
        batch_op.create_index("ix_entities_kind_lifecycle", ["kind", "lifecycle"], unique=False)
