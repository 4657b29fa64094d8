/**
 * Build the UI when it has not been built, start `gantry serve` for the suite, sign in once through the API
 * and keep the session cookie as the tests' storage state. Returns the teardown (stops the server).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { ADMIN, SCREENSHOTS, STATIC_INDEX, STORAGE_STATE, WEB } from "./paths";
import { startServer } from "./server";

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(STATIC_INDEX)) execFileSync("npm", ["run", "build"], { cwd: WEB, stdio: "inherit" });
  rmSync(SCREENSHOTS, { recursive: true, force: true });
  mkdirSync(SCREENSHOTS, { recursive: true });
  const server = await startServer();
  try {
    const r = await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(ADMIN),
    });
    if (!r.ok) throw new Error(`login failed: ${r.status} ${await r.text()}`);
    const { token } = (await r.json()) as { token: string };
    const cookie = r.headers.getSetCookie().find((c) => c.startsWith("gantry_session="));
    if (!cookie) throw new Error("login set no gantry_session cookie");
    const value = cookie.split(";")[0].slice("gantry_session=".length);
    const { hostname } = new URL(server.url);
    writeFileSync(
      STORAGE_STATE,
      JSON.stringify({
        cookies: [{ name: "gantry_session", value, domain: hostname, path: "/", expires: -1, httpOnly: true, secure: false, sameSite: "Lax" }],
        origins: [],
      }),
    );
    process.env.GANTRY_E2E_URL = server.url;
    process.env.GANTRY_E2E_TOKEN = token;
  } catch (err) {
    await server.stop();
    throw err;
  }
  return async () => {
    await server.stop();
    rmSync(STORAGE_STATE, { force: true });
  };
}

