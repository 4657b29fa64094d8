"""Web UI with a big catalog (issue 7, performance): not a test, prints figures.

    python bench/bench_web.py [--entities 100000] [--runs 7]

Starts `gantry serve` (SQLite, rate limit off) on a temporary data dir, loads `generate.catalog(N)` through
POST /api/v1/apply in batches of 1,000, then runs bench_web.mjs: Chromium (/usr/bin/chromium, through the web
UI's playwright-core) measures time-to-interactive of the catalog and entity pages after navigation (a full
page load and an in-app link click) and how soon the command palette shows results after the last key.
Needs Node.js, /usr/bin/chromium, the built UI and web/node_modules (`nox -s web`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from bench_catalog import PASSWORD, load, token_for  # noqa: E402
from gantry_core.testing.server import gantry_server  # noqa: E402

CHROMIUM = os.environ.get("GANTRY_E2E_CHROMIUM", "/usr/bin/chromium")
STATIC_INDEX = ROOT / "gantry-core" / "src" / "gantry_core" / "web" / "static" / "index.html"


def missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if not (ROOT / "web" / "node_modules" / "playwright-core").exists() or not STATIC_INDEX.exists():
        return "the web UI is not built (nox -s web)"
    return None


def run(entities: int, runs: int) -> None:
    reason = missing()
    if reason:
        print(f"bench_web skipped: {reason}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        env = {"GANTRY_ADMIN_PASSWORD": PASSWORD}
        with gantry_server(Path(tmp) / "data", env=env, timeout=60) as server:
            headers = {"Authorization": f"Bearer {token_for(server.url)}"}
            print(f"loading {entities:,} entities …", file=sys.stderr, flush=True)
            rate, docs = asyncio.run(load(server.url, headers, entities))
            print(f"loaded {len(docs):,} entities at {rate:,.0f}/s", file=sys.stderr, flush=True)
            # An entity in the middle of the alphabet, with dependencies, an owner, tags and links.
            services = sorted(d["metadata"]["name"] for d in docs if d["kind"] == "Service")
            entity = f"service/{services[len(services) // 2]}"
            subprocess.run(
                [
                    "node",
                    str(HERE / "bench_web.mjs"),
                    f"--url={server.url}",
                    f"--password={PASSWORD}",
                    f"--entity={entity}",
                    f"--entities={len(docs)}",
                    f"--runs={runs}",
                ],
                check=True,
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    run(args.entities, args.runs)
