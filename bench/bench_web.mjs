/**
 * Web UI timings in Chromium against a running Gantry (bench_web.py starts one with 100k entities and calls
 * this). Not a test: prints figures beside the budgets.
 *
 *   node bench/bench_web.mjs --url=http://127.0.0.1:8080 --password=… --entity=service/<name> [--runs=7]
 *
 * Time-to-interactive (TTI) is measured from the start of the navigation (a full page load: navigation start;
 * an in-app link: the click) to the later of (a) the page's content being in the DOM (catalog: a result row;
 * entity: its tabs) and (b) the end of the last long task (≥ 50 ms of main-thread work) before a quiet
 * 500 ms. The palette figure is from the last key press to the first change of the result list after the
 * answer to the final query arrived (typing at 120 ms a key, like a quick typist).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const HERE = dirname(fileURLToPath(import.meta.url));
const WEB = join(HERE, "..", "web");
const STATIC = join(HERE, "..", "gantry-core", "src", "gantry_core", "web", "static");
const { chromium } = createRequire(join(WEB, "package.json"))("playwright-core");

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split(/=(.*)/s).slice(0, 2)));
const URL_ = args.url;
const RUNS = Number(args.runs ?? 7);
const ENTITY = args.entity;
const USER = args.user ?? "admin";
if (!URL_ || !args.password || !ENTITY) {
  console.error("usage: node bench/bench_web.mjs --url=URL --password=PASSWORD --entity=kind/name [--runs=N]");
  process.exit(2);
}

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const CATALOG_READY = 'tbody tr a[href^="/catalog/"]';
const ENTITY_READY = '[role="tablist"][aria-label="Entity sections"]';

/** Installed in every page before its scripts: long tasks, the time a selector first matches, search answers. */
function instrument(target) {
  const perf = (window.__perf = { longtasks: [], target, targetAt: null, lastKey: null, answers: [], listChanges: [] });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) perf.longtasks.push([e.startTime, e.startTime + e.duration]);
  }).observe({ type: "longtask", buffered: true });
  new MutationObserver((records) => {
    const now = performance.now();
    if (perf.target && perf.targetAt === null && document.querySelector(perf.target)) perf.targetAt = now;
    if (records.some((r) => (r.target instanceof Element ? r.target : r.target.parentElement)?.closest?.("[cmdk-root]"))) perf.listChanges.push(now);
  }).observe(document, { subtree: true, childList: true, characterData: true });
  document.addEventListener("keydown", () => (perf.lastKey = performance.now()), true);
  const fetch0 = window.fetch;
  window.fetch = async (...a) => {
    const response = await fetch0(...a);
    const url = new URL(String(a[0] instanceof Request ? a[0].url : a[0]), location.href);
    if (url.pathname === "/api/v1/search") perf.answers.push([url.searchParams.get("q"), performance.now()]);
    return response;
  };
}

/** Wait for the content and a quiet main thread; TTI relative to `start` (performance.now() units). */
async function tti(page, start) {
  await page.waitForFunction(() => window.__perf.targetAt !== null, null, { timeout: 30_000, polling: 20 });
  for (;;) {
    const { targetAt, longtasks, now } = await page.evaluate(() => ({ ...window.__perf, now: performance.now() }));
    const lastEnd = Math.max(targetAt, ...longtasks.filter(([s]) => s >= start).map(([, e]) => e));
    if (now - lastEnd >= 500) return { content: targetAt - start, tti: lastEnd - start };
    await page.waitForTimeout(100);
  }
}

async function signedInContext(browser, target) {
  const r = await fetch(`${URL_}/api/v1/auth/login`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username: USER, password: args.password }) });
  if (!r.ok) throw new Error(`login: ${r.status}`);
  const cookie = r.headers.getSetCookie().find((c) => c.startsWith("gantry_session=")).split(";")[0].split("=")[1];
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addCookies([{ name: "gantry_session", value: cookie, url: URL_, httpOnly: true, sameSite: "Lax" }]);
  await context.addInitScript(instrument, target);
  return context;
}

/** Full page loads of `path` in one browser context: the first with an empty cache, then warm. */
async function pageLoads(browser, path, target) {
  const context = await signedInContext(browser, target);
  const out = [];
  for (let i = 0; i < RUNS; i++) {
    const page = await context.newPage();
    await page.goto(URL_ + path, { waitUntil: "commit" });
    out.push(await tti(page, 0));
    await page.close();
  }
  await context.close();
  return out;
}

/** In-app navigations: from `from`, click a link matching `link` (the i-th of run i with `vary`: a page not seen yet). */
async function clicks(browser, from, link, target, vary = false) {
  const context = await signedInContext(browser, null);
  const page = await context.newPage();
  const out = [];
  for (let run = 0; run < RUNS; run++) {
    const i = vary ? run : 0;
    await page.goto(URL_ + from);
    await page.locator(link).nth(i).waitFor();
    await page.waitForLoadState("networkidle");
    const start = await page.evaluate(
      ({ link, target, i }) => {
        window.__perf.target = target;
        window.__perf.targetAt = null;
        const start = performance.now();
        document.querySelectorAll(link)[i].click();
        return start;
      },
      { link, target, i },
    );
    out.push(await tti(page, start));
  }
  await context.close();
  return out;
}

/** Palette: open it on the catalog, type a word, time from the last key to its results being shown. */
async function palette(browser) {
  const words = ["ledger", "fraud", "invoice", "shipping", "loyalty", "refund", "pricing", "gateway", "session", "storage"];
  const context = await signedInContext(browser, CATALOG_READY);
  const page = await context.newPage();
  await page.goto(URL_ + "/catalog");
  await page.waitForFunction(() => window.__perf.targetAt !== null);
  const out = [];
  for (let i = 0; i < RUNS; i++) {
    const word = words[i % words.length] + (i >= words.length ? ` ${i}` : "");
    await page.keyboard.press("Control+k");
    await page.locator("[cmdk-input]").waitFor();
    await page.evaluate(() => {
      window.__perf.answers = [];
      window.__perf.listChanges = [];
    });
    await page.keyboard.type(word, { delay: 120 });
    await page.waitForFunction((w) => window.__perf.answers.some(([q]) => q === w), word, { timeout: 10_000 });
    await page.waitForTimeout(400);
    const p = await page.evaluate(() => window.__perf);
    const answered = p.answers.find(([q]) => q === word)[1];
    const shown = p.listChanges.find((t) => t >= answered);
    const r = { afterLastKey: shown - p.lastKey, server: answered - p.lastKey };
    out.push(r);
    await page.keyboard.press("Escape");
  }
  await context.close();
  return out;
}

function initialJs() {
  const html = readFileSync(join(STATIC, "index.html"), "utf8");
  const files = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\/([^"]+\.js)"/g)].map((m) => m[1]);
  const sizes = files.map((f) => gzipSync(readFileSync(join(STATIC, f)), { level: 9 }).length);
  return { files, kb: sizes.reduce((a, b) => a + b, 0) / 1024 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs) => Math.max(...xs);
const ms = (x) => `${Math.round(x)} ms`;

const browser = await chromium.launch({ executablePath: process.env.GANTRY_E2E_CHROMIUM ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
try {
  const rows = [];
  const add = (label, budget, values, key = "tti") => {
    const v = values.map((x) => x[key]);
    const warm = v.slice(1);
    rows.push([label, budget ? ms(budget) : "—", ms(v[0]), ms(median(warm)), ms(max(warm)), budget ? (median(warm) <= budget ? "yes" : "NO") : ""]);
  };
  const catalogLoads = await pageLoads(browser, "/catalog", CATALOG_READY);
  add("catalog, page load: TTI", 1000, catalogLoads);
  add("catalog, page load: rows shown", null, catalogLoads, "content");
  add("catalog filtered (kind, owner), page load: TTI", 1000, await pageLoads(browser, `/catalog?kind=service&owner=${encodeURIComponent(args.owner ?? "team-7")}`, CATALOG_READY));
  add("catalog, link from the dashboard: TTI", 1000, await clicks(browser, "/", 'nav a[href="/catalog"]', CATALOG_READY));
  const entityLoads = await pageLoads(browser, `/catalog/${ENTITY}`, ENTITY_READY);
  add("entity, page load: TTI", 800, entityLoads);
  add("entity, page load: content shown", null, entityLoads, "content");
  add("entity, link from the catalog: TTI", 800, await clicks(browser, "/catalog?kind=service", 'tbody tr a[href^="/catalog/service/"]', ENTITY_READY, true));
  const typed = await palette(browser);
  rows.push(["palette: results after the last key", "150 ms", ms(typed[0].afterLastKey), ms(median(typed.slice(1).map((t) => t.afterLastKey))), ms(max(typed.slice(1).map((t) => t.afterLastKey))), median(typed.slice(1).map((t) => t.afterLastKey)) <= 150 ? "yes" : "NO"]);
  rows.push(["palette: search answer after the last key", "—", ms(typed[0].server), ms(median(typed.slice(1).map((t) => t.server))), ms(max(typed.slice(1).map((t) => t.server))), ""]);

  const js = initialJs();
  console.log(`\n## Web UI with ${Number(args.entities ?? NaN).toLocaleString("en")} entities (Chromium ${browser.version()}, ${RUNS} runs: the first cold, then warm)\n`);
  console.log("| measurement | budget | first | median | max | within budget (median) |");
  console.log("|---|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  console.log(`\nInitial JS: ${js.kb.toFixed(1)} KB gzipped (${js.files.join(", ")}); budget 350 KB.`);
} finally {
  await browser.close();
}
