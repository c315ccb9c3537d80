// Browser test of the list history view: against a server started with two
// imported versions of a small FollowTheMoney list (run.sh writes them),
// open Lists, pick the list's history and show the diff between versions:
// one entry added, one removed, one changed.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BASE = process.env.EMBARGO_URL;
if (!BASE) { console.error("EMBARGO_URL is not set"); process.exit(2); }
const SHOTS = process.env.EMBARGO_SHOTS || "shots";
const profile = mkdtempSync(join(tmpdir(), "embargo-chromium-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1440, height: 900 },
});
let failed = false;
function check(cond, msg) { if (!cond) throw new Error(`check failed: ${msg}`); }
try {
  const page = browser.pages()[0] || await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(BASE + "/");
  await page.click("#tab-lists");
  const btn = page.locator('.diff-open[data-dataset="ftm"]');
  await btn.waitFor();
  await btn.click();
  await page.waitForFunction(() => document.querySelectorAll("#diff-old option").length === 2);
  await page.click("#diff-btn");
  await page.waitForFunction(() => document.querySelector("#diff-out").textContent.includes("Changed"));
  const out = await page.locator("#diff-out").innerText();
  check(/Added \(1\)/i.test(out) && out.includes("Northern Star Maritime"), `added entry: ${out}`);
  check(/Removed \(1\)/i.test(out) && out.includes("Ivan Petrovich Sidorov"), `removed entry: ${out}`);
  check(/Changed \(1\)/i.test(out) && out.includes("countries"), `changed entry names the field: ${out}`);
  check(errors.length === 0, `no page errors: ${errors.join(" | ")}`);
  await page.screenshot({ path: join(SHOTS, "5-diff.png") });
  console.log("PASS web diff e2e");
} catch (e) {
  failed = true;
  console.error("FAIL web diff e2e:", e.message);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
