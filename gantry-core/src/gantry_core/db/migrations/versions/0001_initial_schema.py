"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27

Every table of SPEC F5, plus the dialect-specific search index (FTS5 / tsvector + pg_trgm).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "action_runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("action_name", sa.String(length=63), nullable=False),
        sa.Column("action_namespace", sa.String(length=63), nullable=False),
        sa.Column("action_type", sa.String(length=63), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "inputs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("triggered_by", sa.String(length=150), nullable=False),
        sa.Column("approved_by", sa.String(length=150), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "output",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "logs",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_runs")),
    )
    with op.batch_alter_table("action_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_action_runs_action", ["action_namespace", "action_name", "created_at"], unique=False
        )
        batch_op.create_index("ix_action_runs_created", ["created_at"], unique=False)
        batch_op.create_index("ix_action_runs_status", ["status", "created_at"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_name", sa.String(length=150), nullable=True),
        sa.Column("action", sa.String(length=63), nullable=False),
        sa.Column("resource_type", sa.String(length=63), nullable=True),
        sa.Column("resource_namespace", sa.String(length=63), nullable=True),
        sa.Column("resource_name", sa.String(length=253), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column(
            "before",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "after",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_action", ["action", "id"], unique=False)
        batch_op.create_index(
            "ix_audit_log_resource",
            ["resource_type", "resource_namespace", "resource_name", "id"],
            unique=False,
        )
        batch_op.create_index("ix_audit_log_timestamp", ["timestamp"], unique=False)
        batch_op.create_index("ix_audit_log_user", ["user_name", "id"], unique=False)

    op.create_table(
        "dashboard_config",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "config",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_by", sa.String(length=150), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dashboard_config")),
    )
    op.create_table(
        "entities",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("kind", sa.String(length=63), nullable=False),
        sa.Column("namespace", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(length=253), nullable=True),
        sa.Column("lifecycle", sa.String(length=32), nullable=True),
        sa.Column(
            "metadata",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "spec",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("resource_version", sa.BigInteger(), nullable=False),
        sa.Column("managed_by", sa.String(length=63), nullable=True),
        sa.Column("created_by", sa.String(length=150), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entities")),
        sa.UniqueConstraint("kind", "namespace", "name", name=op.f("uq_entities_kind_namespace_name")),
    )
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.create_index("ix_entities_kind_name", ["kind", "name"], unique=False)
        batch_op.create_index("ix_entities_kind_updated", ["kind", "updated_at"], unique=False)
        batch_op.create_index("ix_entities_lifecycle_kind_name", ["lifecycle", "kind", "name"], unique=False)
        batch_op.create_index("ix_entities_managed_by", ["managed_by"], unique=False)
        batch_op.create_index("ix_entities_name", ["name"], unique=False)
        batch_op.create_index("ix_entities_namespace_name", ["namespace", "name"], unique=False)
        batch_op.create_index("ix_entities_owner_kind_name", ["owner", "kind", "name"], unique=False)
        batch_op.create_index("ix_entities_updated", ["updated_at"], unique=False)

    op.create_table(
        "groups",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_groups_name")),
    )
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(length=140), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_leases")),
    )
    op.create_table(
        "plugins",
        sa.Column("id", sa.String(length=63), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default="0", nullable=False),
        sa.Column(
            "config",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_by", sa.String(length=150), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plugins")),
    )
    op.create_table(
        "secrets",
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("updated_by", sa.String(length=150), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_secrets")),
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("plugin_id", sa.String(length=63), nullable=False),
        sa.Column("job", sa.String(length=63), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("triggered_by", sa.String(length=150), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unchanged", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failed", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "errors",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.create_index("ix_sync_runs_plugin", ["plugin_id", "started_at"], unique=False)

    op.create_table(
        "users",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("username", sa.String(length=150), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("token_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("ix_users_email", ["email"], unique=False)

    op.create_table(
        "api_keys",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index("ix_api_keys_user", ["user_id", "id"], unique=False)

    op.create_table(
        "entity_labels",
        sa.Column("entity_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("key", sa.String(length=253), nullable=False),
        sa.Column("value", sa.String(length=253), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["entities.id"],
            name=op.f("fk_entity_labels_entity_id_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entity_id", "key", name=op.f("pk_entity_labels")),
    )
    with op.batch_alter_table("entity_labels", schema=None) as batch_op:
        batch_op.create_index("ix_entity_labels_key_value", ["key", "value", "entity_id"], unique=False)

    op.create_table(
        "entity_relations",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("source_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("type", sa.String(length=63), nullable=False),
        sa.Column("target_kind", sa.String(length=63), nullable=False),
        sa.Column("target_namespace", sa.String(length=63), nullable=False),
        sa.Column("target_name", sa.String(length=253), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["entities.id"],
            name=op.f("fk_entity_relations_source_id_entities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_relations")),
    )
    with op.batch_alter_table("entity_relations", schema=None) as batch_op:
        batch_op.create_index("ix_entity_relations_source", ["source_id", "type"], unique=False)
        batch_op.create_index(
            "ix_entity_relations_target",
            ["target_kind", "target_namespace", "target_name", "type"],
            unique=False,
        )

    op.create_table(
        "entity_tags",
        sa.Column("entity_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tag", sa.String(length=63), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.id"], name=op.f("fk_entity_tags_entity_id_entities"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("entity_id", "tag", name=op.f("pk_entity_tags")),
    )
    with op.batch_alter_table("entity_tags", schema=None) as batch_op:
        batch_op.create_index("ix_entity_tags_tag", ["tag", "entity_id"], unique=False)

    op.create_table(
        "group_members",
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"], ["groups.id"], name=op.f("fk_group_members_group_id_groups"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_group_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("group_id", "user_id", name=op.f("pk_group_members")),
    )
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.create_index("ix_group_members_user", ["user_id"], unique=False)

    op.create_table(
        "user_history",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=63), nullable=False),
        sa.Column("namespace", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("viewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_history_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_history")),
        sa.UniqueConstraint(
            "user_id", "kind", "namespace", "name", name=op.f("uq_user_history_user_id_kind_namespace_name")
        ),
    )
    with op.batch_alter_table("user_history", schema=None) as batch_op:
        batch_op.create_index("ix_user_history_user_viewed", ["user_id", "viewed_at"], unique=False)

    _create_search_index()


def _create_search_index() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE entity_search USING fts5("
            "name, title, description, tags, owner, annotations, "
            "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4')"
        )
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE TABLE entity_search ("
        "entity_id BIGINT PRIMARY KEY REFERENCES entities(id) ON DELETE CASCADE, "
        "document TSVECTOR NOT NULL)"
    )
    op.execute("CREATE INDEX ix_entity_search_document ON entity_search USING GIN (document)")
    op.execute("CREATE INDEX ix_entities_search_name_trgm ON entities USING GIN (name gin_trgm_ops)")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS entity_search")
    op.execute("DROP INDEX IF EXISTS ix_entities_search_name_trgm")
    with op.batch_alter_table("user_history", schema=None) as batch_op:
        batch_op.drop_index("ix_user_history_user_viewed")

    op.drop_table("user_history")
    with op.batch_alter_table("group_members", schema=None) as batch_op:
        batch_op.drop_index("ix_group_members_user")

    op.drop_table("group_members")
    with op.batch_alter_table("entity_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_entity_tags_tag")

    op.drop_table("entity_tags")
    with op.batch_alter_table("entity_relations", schema=None) as batch_op:
        batch_op.drop_index("ix_entity_relations_target")
        batch_op.drop_index("ix_entity_relations_source")

    op.drop_table("entity_relations")
    with op.batch_alter_table("entity_labels", schema=None) as batch_op:
        batch_op.drop_index("ix_entity_labels_key_value")

    op.drop_table("entity_labels")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_api_keys_user")

    op.drop_table("api_keys")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_email")

    op.drop_table("users")
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_runs_plugin")

    op.drop_table("sync_runs")
    op.drop_table("secrets")
    op.drop_table("plugins")
    op.drop_table("job_leases")
    op.drop_table("groups")
    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.drop_index("ix_entities_updated")
        batch_op.drop_index("ix_entities_owner_kind_name")
        batch_op.drop_index("ix_entities_namespace_name")
        batch_op.drop_index("ix_entities_name")
        batch_op.drop_index("ix_entities_managed_by")
        batch_op.drop_index("ix_entities_lifecycle_kind_name")
        batch_op.drop_index("ix_entities_kind_updated")
        batch_op.drop_index("ix_entities_kind_name")

    op.drop_table("entities")
    op.drop_table("dashboard_config")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_user")
        batch_op.drop_index("ix_audit_log_timestamp")
        batch_op.drop_index("ix_audit_log_resource")
        batch_op.drop_index("ix_audit_log_action")

    op.drop_table("audit_log")
    with op.batch_alter_table("action_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_action_runs_status")
        batch_op.drop_index("ix_action_runs_created")
        batch_op.drop_index("ix_action_runs_action")

    op.drop_table("action_runs")
