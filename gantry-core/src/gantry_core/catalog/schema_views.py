"""Kind schemas (F41): `GET /schemas` and `GET /schemas/{kind}`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from gantry_core.api.deps import State, Viewer
from gantry_core.api.errors import GantryError
from gantry_core.plugins.kinds import RegisteredKind

router = APIRouter(prefix="/schemas", tags=["schemas"])


def kind_out(kind: RegisteredKind) -> dict[str, Any]:
    decl = kind.kind
    return {
        "kind": decl.name,
        "plural": decl.plural,
        "shortNames": list(decl.short_names),
        "description": decl.description,
        "icon": decl.icon,
        "plugin": kind.plugin_id,
        "listColumns": list(decl.list_columns),
        "references": [
            {"field": r.field, "relation": r.relation, "targetKind": r.target_kind} for r in decl.references
        ],
        "schema": kind.schema,
    }


@router.get("", summary="Every entity kind with its JSON Schema")
async def list_schemas(state: State, user: Viewer) -> dict[str, Any]:
    items = [kind_out(k) for k in state.host.kinds.values()]
    return {"items": items, "total": len(items), "next": None}


@router.get("/{kind}", summary="One kind's JSON Schema (kind is case-insensitive)")
async def get_schema(kind: str, state: State, user: Viewer) -> dict[str, Any]:
    registered = state.host.kind(kind)
    if registered is None:
        raise unknown_kind(kind)
    return kind_out(registered)


def unknown_kind(kind: str) -> GantryError:
    return GantryError(404, "unknown_kind", f"unknown kind {kind!r}", [{"path": "kind", "message": "unknown"}])
