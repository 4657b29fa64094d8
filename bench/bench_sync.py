"""Sync-job benchmark (issue: plugin runtime, §9): a job yielding 10,000 entities, upserted the first time
and re-synced unchanged. Not a test: prints figures. `python bench/bench_sync.py [--n 10000] [--postgres]`."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import types
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parent))
from gantry_core.db.tables import audit_log
from gantry_core.plugins import PluginManifest, SyncJob, hookimpl
from gantry_core.testing import Harness
from generate import catalog


def bench_plugin(n: int) -> Any:
    docs = list(catalog(n))
    plugin = types.SimpleNamespace()

    async def run(ctx: Any) -> AsyncIterator[Mapping[str, Any]]:
        for doc in docs:
            yield doc

    @hookimpl
    def gantry_plugin_manifest() -> PluginManifest:
        return PluginManifest(id="bench", title="Bench")

    @hookimpl
    def gantry_register_sync_jobs() -> list[SyncJob]:
        return [SyncJob(name="bench-sync", run=run, interval=None, run_on_enable=False)]

    plugin.gantry_plugin_manifest = gantry_plugin_manifest
    plugin.gantry_register_sync_jobs = gantry_register_sync_jobs
    return plugin, len(docs)


async def main(n: int, backend: str) -> None:
    plugin, total = bench_plugin(n)
    with tempfile.TemporaryDirectory() as tmp:
        harness = Harness(Path(tmp), backend=backend)
        try:
            async with harness(plugins=[plugin]) as gantry:
                await gantry.set_plugin_enabled("bench")
                figures = []
                for label in ("first sync", "unchanged re-sync"):
                    async with gantry.state.db.read() as conn:
                        audits = (await conn.execute(select(func.count()).select_from(audit_log))).scalar_one()
                    started = time.perf_counter()
                    await gantry.state.scheduler.trigger("bench", None, "bench")
                    await gantry.state.scheduler.wait_idle("bench")
                    elapsed = time.perf_counter() - started
                    async with gantry.state.db.read() as conn:
                        writes = (await conn.execute(select(func.count()).select_from(audit_log))).scalar_one() - audits
                    figures.append((label, total / elapsed, elapsed, writes))
        finally:
            await harness.aclose()
    print(f"\n## sync job, {total:,} entities, {backend}")
    print("| run | entities/s | seconds | audited writes |\n|---|---|---|---|")
    for label, rate, seconds, writes in figures:
        print(f"| {label} | {rate:,.0f} | {seconds:.2f} | {writes:,} |")
    print("targets: first ≥ 3,000/s; unchanged re-sync ≥ 20,000/s with 0 writes")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--postgres", action="store_true", help="also on GANTRY_TEST_DATABASE_URL")
    args = parser.parse_args()
    asyncio.run(main(args.n, "sqlite"))
    if args.postgres and os.environ.get("GANTRY_TEST_DATABASE_URL"):
        asyncio.run(main(args.n, "postgresql"))
