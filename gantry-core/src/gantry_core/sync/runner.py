"""Run one sync job: upsert what it yields through the catalog write path, mark orphans, record the run."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update

from gantry_core.catalog import events as catalog_events
from gantry_core.catalog.documents import ORPHANED, Document, InvalidDocument, parse
from gantry_core.catalog.service import Actor, WriteError, WriteResult, load_existing, write_many
from gantry_core.db.tables import entities, sync_runs
from gantry_core.plugins.types import SyncContext, SyncJob
from gantry_core.state import AppState

log = logging.getLogger("gantry.sync")
SYNC_JOB = "gantry.io/sync-job"
BATCH = 500
MAX_ERRORS = 100


async def create_run(state: AppState, plugin_id: str, job: str, triggered_by: str | None) -> str:
    run_id = str(uuid.uuid4())
    async with state.db.write() as conn:
        await conn.execute(
            insert(sync_runs).values(
                id=run_id,
                plugin_id=plugin_id,
                job=job,
                status="running",
                triggered_by=triggered_by,
                started_at=datetime.now(UTC),
                errors=[],
            )
        )
    return run_id


class _Counts:
    def __init__(self) -> None:
        self.created = self.updated = self.unchanged = self.failed = 0
        self.errors: list[str] = []

    def error(self, message: str) -> None:
        self.failed += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(message)


def _tagged(doc: Mapping[str, Any], job: str) -> dict[str, Any]:
    """The document with the job's annotation (so orphans are found per job) and no orphan mark."""
    metadata = dict(doc.get("metadata") or {}) if isinstance(doc.get("metadata"), Mapping) else doc.get("metadata")
    if isinstance(metadata, dict):
        annotations = dict(metadata.get("annotations") or {})
        annotations[SYNC_JOB] = job
        annotations.pop(ORPHANED, None)
        metadata["annotations"] = annotations
    return {**doc, "metadata": metadata}


async def _flush(state: AppState, plugin_id: str, docs: list[Document], counts: _Counts) -> None:
    if not docs:
        return
    actor = Actor(name=f"plugin:{plugin_id}", source="plugin", plugin=plugin_id)
    async with state.db.write() as conn:
        results = await write_many(conn, docs, actor)
    events = []
    for doc, result in zip(docs, results, strict=True):
        if isinstance(result, WriteError):
            counts.error(f"{doc.kind.name}/{doc.namespace}/{doc.name}: {result.error.message}")
        elif isinstance(result, WriteResult):
            setattr(counts, result.outcome, getattr(counts, result.outcome) + 1)
            events.append(result.event)
    await catalog_events.publish(state, events)
    docs.clear()


async def _stored_hashes(state: AppState, plugin_id: str) -> dict[tuple[str, str, str], str]:
    """The content hash of every entity the plugin wrote, read once at the start of a run.

    An entity the job reports with the same hash is skipped before the write path (which would find it
    unchanged too); one edited by someone else during the run is set right by the next run."""
    async with state.db.read() as conn:
        rows = await conn.execute(
            select(entities.c.kind, entities.c.namespace, entities.c.name, entities.c.content_hash).where(
                entities.c.managed_by == plugin_id
            )
        )
        return {(r.kind, r.namespace, r.name): r.content_hash for r in rows.all()}


async def _mark_orphans(state: AppState, plugin_id: str, job: str, seen: set[tuple[str, str, str]]) -> int:
    async with state.db.read() as conn:
        keys = await conn.execute(
            select(entities.c.kind, entities.c.namespace, entities.c.name).where(entities.c.managed_by == plugin_id)
        )
        missing = [key for key in (tuple(k) for k in keys.all()) if key not in seen]
        rows = list((await load_existing(conn, missing, lock=False)).values()) if missing else []
    orphans = []
    for row in rows:
        annotations = row["metadata"].get("annotations") or {}
        key = (row["kind"], row["namespace"], row["name"])
        if annotations.get(SYNC_JOB) != job or key in seen or annotations.get(ORPHANED) == "true":
            continue
        metadata = {**row["metadata"], "annotations": {**annotations, ORPHANED: "true"}}
        orphans.append(parse(state.host, {"kind": row["kind"], "metadata": metadata, "spec": row["spec"]}))
    counts = _Counts()
    for start in range(0, len(orphans), BATCH):
        await _flush(state, plugin_id, orphans[start : start + BATCH], counts)
    return len(orphans)


async def run_job(state: AppState, plugin_id: str, job: SyncJob, run_id: str, ctx: SyncContext) -> dict[str, Any]:
    """Run `job` to the end, recording the result on sync run `run_id`. Never raises (but on cancel)."""
    counts = _Counts()
    seen: set[tuple[str, str, str]] = set()
    batch: list[Document] = []
    status = "success"
    stored = await _stored_hashes(state, plugin_id)
    try:
        async for raw in job.run(ctx):
            try:
                doc = parse(
                    state.host, _tagged(raw, job.name) if isinstance(raw, Mapping) else raw, known_hash=stored.get
                )
            except InvalidDocument as exc:
                name = raw.get("metadata", {}).get("name") if isinstance(raw, Mapping) else None
                paths = "; ".join(f"{d['path']} {d['message']}" for d in exc.details[:5])
                counts.error(f"{raw.get('kind') if isinstance(raw, Mapping) else '?'}/{name}: {paths}")
                continue
            if doc.key in seen:
                counts.error(f"{doc.kind.name}/{doc.namespace}/{doc.name}: reported twice in one run")
                continue
            seen.add(doc.key)
            if stored.get(doc.key) == doc.content_hash:
                counts.unchanged += 1  # what the job reported is what is stored: nothing to write
                continue
            batch.append(doc)
            if len(batch) >= BATCH:
                await _flush(state, plugin_id, batch, counts)
        await _flush(state, plugin_id, batch, counts)
        if not ctx.errors and not counts.failed:
            await _mark_orphans(state, plugin_id, job.name, seen)
    except Exception as exc:  # a failing job is recorded, never takes the server down
        log.exception("sync job %s/%s failed", plugin_id, job.name)
        status = "failed"
        counts.errors.append(f"{type(exc).__name__}: {exc}")
    except BaseException:
        await _finish(state, run_id, "cancelled", counts, ctx)
        raise
    if status == "success" and (ctx.errors or counts.failed):
        status = "partial"
    return await _finish(state, run_id, status, counts, ctx)


async def _finish(state: AppState, run_id: str, status: str, counts: _Counts, ctx: SyncContext) -> dict[str, Any]:
    errors = (ctx.errors + counts.errors)[:MAX_ERRORS]
    finished = datetime.now(UTC)
    values = {
        "status": status,
        "finished_at": finished,
        "created": counts.created,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "failed": counts.failed,
        "errors": errors,
    }
    async with state.db.write() as conn:
        await conn.execute(update(sync_runs).where(sync_runs.c.id == run_id).values(**values))
    summary = {"id": run_id, "plugin": ctx.plugin_id, "job": ctx.job, **values}
    summary["finished_at"] = finished.isoformat()
    try:
        await state.bus.publish("plugins", "plugin.synced", summary)
    except Exception:
        log.warning("could not publish plugin.synced", exc_info=True)
    return summary
