/** Start a real `gantry serve` on a temporary data dir and a free port, with the reference test plugin installed. */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { ARTIFACTS, ROOT } from "./paths";

export interface RunningServer {
  url: string;
  dataDir: string;
  process: ChildProcess;
  stop: () => Promise<void>;
}

/** The Python that has gantry-core installed: GANTRY_E2E_PYTHON, else the workspace's .venv. */
export function python(): string {
  if (process.env.GANTRY_E2E_PYTHON) return process.env.GANTRY_E2E_PYTHON;
  const venv = join(ROOT, ".venv", "bin", "python");
  if (existsSync(venv)) return venv;
  throw new Error("no Python with gantry-core: run `uv sync` at the repository root or set GANTRY_E2E_PYTHON");
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const WRITE_REFERENCE = `
import sys
from pathlib import Path
from gantry_core.testing.distributions import write_distribution
write_distribution(Path(sys.argv[1]), "gantry-plugin-reference", plugins={"reference": "gantry_core.testing.reference_plugin"})
`;

export async function startServer(options: { env?: Record<string, string>; log?: string } = {}): Promise<RunningServer> {
  const py = python();
  const dataDir = mkdtempSync(join(tmpdir(), "gantry-e2e-"));
  const site = join(dataDir, "site");
  execFileSync(py, ["-c", WRITE_REFERENCE, site], { stdio: "inherit" });
  const port = await freePort();
  // Only this server's settings: nothing from the caller's GANTRY_* environment (a GANTRY_DB would win).
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("GANTRY_")) env[k] = v;
  Object.assign(env, {
    GANTRY_DATA_DIR: join(dataDir, "data"),
    GANTRY_PLUGINS_ON_ERROR: "skip",
    GANTRY_RATE_LIMIT: "0",
    PYTHONPATH: [site, process.env.PYTHONPATH].filter(Boolean).join(delimiter),
    ...options.env,
  });
  mkdirSync(ARTIFACTS, { recursive: true });
  const log = createWriteStream(options.log ?? join(ARTIFACTS, "e2e-server.log"));
  const child = spawn(py, ["-m", "gantry_core.cli", "serve", "--demo", "--host", "127.0.0.1", "--port", String(port)], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    log.end();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gantry serve exited with ${child.exitCode}; see ${ARTIFACTS}/e2e-server.log`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error("gantry serve did not become ready within 60 s");
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, dataDir, process: child, stop };
}
