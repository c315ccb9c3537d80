// Browser test of the Alerts tab: against a server whose data directory
// holds a customer book monitored against the embedded regime pack (run.sh
// imports it and runs `embargo monitor`), list the open alerts, filter by
// book and customer, open one and read its explanation and history, see a
// keyless resolution refused, confirm one alert, and clear another under
// four eyes (under review after the first reviewer, cleared after the
// second).
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BASE = process.env.EMBARGO_URL;
if (!BASE) { console.error("EMBARGO_URL is not set"); process.exit(2); }
const SHOTS = process.env.EMBARGO_SHOTS || "shots";
const KEY1 = process.env.EMBARGO_REVIEW_KEY_1;
const KEY2 = process.env.EMBARGO_REVIEW_KEY_2;
if (!KEY1 || !KEY2) { console.error("EMBARGO_REVIEW_KEY_1/2 are not set"); process.exit(2); }
const profile = mkdtempSync(join(tmpdir(), "embargo-chromium-"));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1440, height: 900 },
});
let failed = false;
let step = "start";
function check(cond, msg) { if (!cond) throw new Error(`check failed: ${msg}`); }
async function setKey(page, key) {
  await page.fill("#api-key", key);
  await page.dispatchEvent("#api-key", "change");
}
async function rowCount(page) { return page.locator("#alerts tbody tr").count(); }
async function show(page) {
  await page.click("#alerts-btn");
  await page.waitForFunction(() => /alert/.test(document.querySelector("#alerts-status").textContent));
}
async function openRow(page, customerText) {
  await page.evaluate(() => { document.querySelector("#ad-title").textContent = ""; });
  await page.locator("#alerts tbody tr", { hasText: customerText }).first().click();
  await page.waitForFunction((t) => document.querySelector("#ad-title").textContent.includes(t), customerText);
}
async function resolve(page, verdict, reason) {
  await page.selectOption("#ar-verdict", verdict);
  await page.fill("#ar-reason", reason);
  await page.evaluate(() => { document.querySelector("#resolve-status").textContent = ""; });
  await page.click("#resolve-btn");
  await page.waitForFunction(() => /Alert is now|Not resolved/.test(document.querySelector("#resolve-status").textContent));
  return page.locator("#resolve-status").innerText();
}
try {
  const page = browser.pages()[0] || await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(BASE + "/");
  step = "open the tab";
  await page.click("#tab-alerts");
  await page.waitForFunction(() => /alert/.test(document.querySelector("#alerts-status").textContent));
  const open = await rowCount(page);
  check(open === 2, `two open alerts (Hikvision, Dahua), got ${open}: ${await page.locator("#alerts").innerText()}`);
  const table = await page.locator("#alerts").innerText();
  check(!table.includes("Orchard Lane"), "the florist is not listed");
  step = "filters";
  // Filters: by customer, by an unknown book.
  await page.fill("#a-customer", "c1");
  await show(page);
  check(await rowCount(page) === 1, "customer filter keeps one alert");
  await page.fill("#a-customer", "");
  await page.fill("#a-book", "no-such-book");
  await show(page);
  check(await rowCount(page) === 0, "an unknown book has no alerts");
  await page.fill("#a-book", "retail");
  await show(page);
  check(await rowCount(page) === 2, "book filter");

  step = "detail";
  await openRow(page, "Hikvision");
  const why = await page.locator("#ad-why").innerText();
  check(/score/i.test(why) && /hikvision/i.test(why), `explanation shown: ${why}`);
  const subject = await page.locator("#ad-subject").innerText();
  check(subject.includes("embargo_xinjiang_pack"), `listed subject with its list: ${subject}`);
  const hist = await page.locator("#ad-history").innerText();
  check(/created/.test(hist) && /audit #\d+/.test(hist), `history with the audit record: ${hist}`);
  await page.screenshot({ path: join(SHOTS, "6-alerts.png") });

  step = "keyless resolve";
  // Keyless (loopback) callers may read alerts but not resolve them.
  let msg = await resolve(page, "true_match", "same company, same address");
  check(/Not resolved/.test(msg) && /403|forbidden|review/i.test(msg), `keyless resolution refused: ${msg}`);

  step = "confirm";
  await setKey(page, KEY1);
  await openRow(page, "Hikvision");
  msg = await resolve(page, "true_match", "same company, same address");
  check(/Alert is now confirmed/.test(msg), `confirmed: ${msg}`);

  step = "four eyes";
  // Four eyes: clearing an Entity List hit needs a second reviewer.
  await openRow(page, "Dahua");
  msg = await resolve(page, "false_positive", "a different Dahua, unrelated trading firm");
  check(/Alert is now under review/.test(msg), `under review after one reviewer: ${msg}`);
  await setKey(page, KEY2);
  await openRow(page, "Dahua");
  msg = await resolve(page, "false_positive", "agree: unrelated trading firm");
  check(/Alert is now cleared/.test(msg), `cleared after the second reviewer: ${msg}`);

  step = "states";
  // Nothing left to work; the resolved alerts are found by state.
  await page.selectOption("#a-state", "open,under_review");
  await show(page);
  check(await rowCount(page) === 0, "no alert left to work");
  await page.selectOption("#a-state", "");
  await show(page);
  const all = await page.locator("#alerts").innerText();
  check(/confirmed/.test(all) && /cleared/.test(all), `states shown: ${all}`);
  await openRow(page, "Dahua");
  const hist2 = await page.locator("#ad-history").innerText();
  check((hist2.match(/resolved/g) || []).length === 2, `two resolutions in the history: ${hist2}`);
  check(errors.length === 0, `no page errors: ${errors.join(" | ")}`);
  await page.screenshot({ path: join(SHOTS, "7-alerts-resolved.png") });
  console.log("PASS web alerts e2e");
} catch (e) {
  failed = true;
  console.error(`FAIL web alerts e2e (at ${step}):`, e.message);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
