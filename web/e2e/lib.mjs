// Shared set-up of the browser tests added with issue 17 (cjk, batch,
// review history, list chart, ownership graph): one headless Chromium with
// a fresh profile, a check() that throws, and a page-error collector.
import { chromium } from "playwright-core";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const BASE = process.env.EMBARGO_URL;
if (!BASE) { console.error("EMBARGO_URL is not set"); process.exit(2); }
export const SHOTS = process.env.EMBARGO_SHOTS || "shots";
mkdirSync(SHOTS, { recursive: true });

export function check(cond, msg) { if (!cond) throw new Error(`check failed: ${msg}`); }
export const step = (msg) => console.log(`· ${msg}`);

// Runs `body(page, ctx)` in a fresh browser; `env` is added to Chromium's
// environment (the CJK test's negative control sets FONTCONFIG_FILE).
// Exits 1 with the message when the body throws.
export async function withBrowser(name, body, env) {
  const profile = mkdtempSync(join(tmpdir(), "embargo-chromium-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
    env: env ? { ...process.env, ...env } : undefined,
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  try {
    const out = await body(page, ctx);
    check(errors.length === 0, `no page errors: ${errors.join(" | ")}`);
    return out;
  } finally {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

// Runs a test file's main function and reports PASS/FAIL with its name.
export async function main(name, fn) {
  try {
    await fn();
    console.log(`PASS ${name}`);
    process.exit(0);
  } catch (e) {
    console.error(`FAIL ${name}:`, e.message);
    process.exit(1);
  }
}
