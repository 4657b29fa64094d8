"""Every table of Gantry (SPEC F5), as SQLAlchemy Core on one MetaData with a naming convention.

The search index (SQLite FTS5 / PostgreSQL tsvector) is dialect specific and lives in the migrations;
``SEARCH_OBJECTS`` names it so the model/migration comparison leaves it aside.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: JSON stored as text on SQLite and as JSONB on PostgreSQL.
Json = JSON().with_variant(JSONB(), "postgresql")
#: Integer primary keys that are 64-bit on PostgreSQL and rowid aliases on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def _ts(name: str, nullable: bool = False) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


SEARCH_OBJECTS = frozenset({"entity_search"})

entities = Table(
    "entities",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(63), nullable=False),
    Column("namespace", String(63), nullable=False),
    Column("name", String(63), nullable=False),
    Column("title", String(255)),
    Column("description", Text),
    Column("owner", String(253)),
    Column("lifecycle", String(32)),
    Column("metadata", Json, nullable=False),
    Column("spec", Json, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("resource_version", BigInteger, nullable=False),
    Column("managed_by", String(63)),
    Column("created_by", String(150)),
    _ts("created_at"),
    _ts("updated_at"),
    UniqueConstraint("kind", "namespace", "name"),
    Index("ix_entities_name", "name"),
    Index("ix_entities_kind_name", "kind", "name"),
    Index("ix_entities_kind_updated", "kind", "updated_at"),
    Index("ix_entities_updated", "updated_at"),
    Index("ix_entities_namespace_name", "namespace", "name"),
    Index("ix_entities_owner_kind_name", "owner", "kind", "name"),
    Index("ix_entities_lifecycle_kind_name", "lifecycle", "kind", "name"),
    Index("ix_entities_managed_by", "managed_by"),
)

entity_tags = Table(
    "entity_tags",
    metadata,
    Column("entity_id", BigId, ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
    Column("tag", String(63), primary_key=True),
    # the entity's kind, owner and lifecycle, copied here (the write path rewrites an entity's tags on every
    # change) so that facets of a tag-filtered catalog are counted without a join to entities
    Column("kind", String(63), nullable=False, server_default=""),
    Column("owner", String(253)),
    Column("lifecycle", String(32)),
    Index("ix_entity_tags_tag", "tag", "entity_id"),
    # (kind, tag) lists and counts; new rows append at the end of their (kind, tag) run
    Index("ix_entity_tags_kind_tag", "kind", "tag", "entity_id"),
)

#: Entity counts per field, tag ('' = any tag), kind ('' = any kind, kept under no tag only) and value,
#: kept by the write path in the same transaction (catalog/facet_counts.py): the catalog's facets for no
#: filter, a kind, a tag or both are read from here, whatever the size of the catalog. Field '*' (value
#: '') counts the entities.
entity_facets = Table(
    "entity_facets",
    metadata,
    Column("field", String(16), primary_key=True),
    Column("tag", String(63), primary_key=True),
    Column("kind", String(63), primary_key=True),
    Column("value", String(253), primary_key=True),
    Column("n", BigInteger, nullable=False),
    # one b-tree on SQLite; a facet reads its (field, tag, kind) range of the key and sorts it by count
    sqlite_with_rowid=False,
)

entity_labels = Table(
    "entity_labels",
    metadata,
    Column("entity_id", BigId, ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(253), primary_key=True),
    Column("value", String(253), nullable=False),
    Index("ix_entity_labels_key_value", "key", "value", "entity_id"),
)

entity_relations = Table(
    "entity_relations",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("source_id", BigId, ForeignKey("entities.id", ondelete="CASCADE"), nullable=False),
    Column("type", String(63), nullable=False),
    Column("target_kind", String(63), nullable=False),
    Column("target_namespace", String(63), nullable=False),
    Column("target_name", String(253), nullable=False),
    # catalog.relations.target_key(target_kind, target_namespace, target_name): reverse lookups use it
    Column("target_key", BigInteger, nullable=False),
    Index("ix_entity_relations_source", "source_id", "type"),
    Index("ix_entity_relations_target_key", "target_key"),
)

users = Table(
    "users",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("username", String(150), nullable=False, unique=True),
    Column("display_name", String(255)),
    Column("email", String(320)),
    Column("role", String(32), nullable=False),
    Column("password_hash", String(255)),
    Column("token_version", Integer, nullable=False, server_default="0"),
    _ts("created_at"),
    _ts("updated_at"),
    _ts("last_login_at", nullable=True),
    Index("ix_users_email", "email"),
)

groups = Table(
    "groups",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("name", String(150), nullable=False, unique=True),
    Column("role", String(32), nullable=False),
    _ts("created_at"),
    _ts("updated_at"),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", BigId, ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_group_members_user", "user_id"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("user_id", BigId, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("role", String(32), nullable=False),
    _ts("created_at"),
    _ts("expires_at", nullable=True),
    _ts("last_used_at", nullable=True),
    _ts("revoked_at", nullable=True),
    Index("ix_api_keys_user", "user_id", "id"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    _ts("timestamp"),
    Column("user_name", String(150)),
    Column("action", String(63), nullable=False),
    Column("resource_type", String(63)),
    Column("resource_namespace", String(63)),
    Column("resource_name", String(253)),
    Column("source", String(16), nullable=False),
    Column("ip_address", String(45)),
    Column("before", Json),
    Column("after", Json),
    Column("details", Json),
    Index("ix_audit_log_resource", "resource_type", "resource_namespace", "resource_name", "id"),
    Index("ix_audit_log_user", "user_name", "id"),
    Index("ix_audit_log_action", "action", "id"),
    Index("ix_audit_log_timestamp", "timestamp"),
)

#: How many audit entries there are per action and resource type ('' for none), kept by the audit write
#: path (audit/service.py) in the entry's own transaction, so that the trail's usual views count in time
#: independent of its length. Spread over a few shards so that concurrent writers on PostgreSQL do not
#: queue for one row; a count sums them.
audit_counts = Table(
    "audit_counts",
    metadata,
    Column("action", String(63), primary_key=True),
    Column("resource_type", String(63), primary_key=True),
    Column("shard", Integer, primary_key=True),
    Column("n", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)

action_runs = Table(
    "action_runs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("action_name", String(63), nullable=False),
    Column("action_namespace", String(63), nullable=False),
    Column("action_type", String(63), nullable=False),
    Column("status", String(16), nullable=False),
    Column("inputs", Json, nullable=False),
    Column("triggered_by", String(150), nullable=False),
    Column("approved_by", String(150)),
    Column("reason", Text),
    Column("output", Json),
    Column("logs", Json),
    Column("error", Text),
    _ts("created_at"),
    _ts("started_at", nullable=True),
    _ts("finished_at", nullable=True),
    Index("ix_action_runs_action", "action_namespace", "action_name", "created_at"),
    Index("ix_action_runs_created", "created_at"),
    Index("ix_action_runs_status", "status", "created_at"),
)

plugins = Table(
    "plugins",
    metadata,
    Column("id", String(63), primary_key=True),
    Column("enabled", Boolean, nullable=False, server_default="0"),
    Column("config", Json, nullable=False),
    Column("updated_by", String(150)),
    _ts("updated_at"),
)

sync_runs = Table(
    "sync_runs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("plugin_id", String(63), nullable=False),
    Column("job", String(63), nullable=False),
    Column("status", String(16), nullable=False),
    Column("triggered_by", String(150)),
    _ts("started_at"),
    _ts("finished_at", nullable=True),
    Column("created", Integer, nullable=False, server_default="0"),
    Column("updated", Integer, nullable=False, server_default="0"),
    Column("unchanged", Integer, nullable=False, server_default="0"),
    Column("failed", Integer, nullable=False, server_default="0"),
    Column("errors", Json, nullable=False),
    Index("ix_sync_runs_plugin", "plugin_id", "started_at"),
)

job_leases = Table(
    "job_leases",
    metadata,
    Column("name", String(140), primary_key=True),
    Column("holder", String(64), nullable=False),
    _ts("expires_at"),
)

user_history = Table(
    "user_history",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("user_id", BigId, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(63), nullable=False),
    Column("namespace", String(63), nullable=False),
    Column("name", String(63), nullable=False),
    _ts("viewed_at"),
    UniqueConstraint("user_id", "kind", "namespace", "name"),
    Index("ix_user_history_user_viewed", "user_id", "viewed_at"),
)

dashboard_config = Table(
    "dashboard_config",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("config", Json, nullable=False),
    Column("updated_by", String(150)),
    _ts("updated_at"),
)

secrets = Table(
    "secrets",
    metadata,
    Column("name", String(63), primary_key=True),
    Column("value", LargeBinary, nullable=False),
    Column("updated_by", String(150)),
    _ts("created_at"),
    _ts("updated_at"),
)
