"""facets: any-kind counts are kept under no tag only; under a tag the kinds' counts are summed on read

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27

A batch of 1,000 services at 100k entities upserted ~7,000 count rows, and the any-kind rows under a tag
(owner x tag and the like) were a third of them. A facet under a tag and no kind now sums that tag's
per-kind rows (catalog.facet_counts.read); there are few kinds, so that is a few thousand rows at most.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM entity_facets WHERE kind = '' AND tag <> ''")


def downgrade() -> None:
    op.execute(
        "INSERT INTO entity_facets (field, tag, kind, value, n)"
        " SELECT field, tag, '', value, sum(n) FROM entity_facets WHERE tag <> '' AND kind <> ''"
        " GROUP BY field, tag, value"
    )
