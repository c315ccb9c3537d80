// End-to-end test of the Embargo web page in headless Chromium.
//
// Against a running server (EMBARGO_URL, started by run.sh on a free
// loopback port with a fresh data directory): screen "Hikvision", open the
// Entity List hit and check its list facts and citations, record a
// false-positive review, and see the hit shown as cleared on the next
// screen. Then run the example decision and look at the list versions.
// Screenshots go to EMBARGO_SHOTS (default ./shots) for a human to look at.
import { chromium } from "playwright-core";
import { mkdirSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BASE = process.env.EMBARGO_URL;
if (!BASE) { console.error("EMBARGO_URL is not set"); process.exit(2); }
const SHOTS = process.env.EMBARGO_SHOTS || "shots";
const HIK = "embargo_xinjiang_pack:el-hikvision";
mkdirSync(SHOTS, { recursive: true });

const profile = mkdtempSync(join(tmpdir(), "embargo-chromium-"));
// A fresh profile directory per run (playwright passes it as --user-data-dir).
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1440, height: 900 },
});
let failed = false;
const step = (msg) => console.log(`· ${msg}`);
function check(cond, msg) { if (!cond) throw new Error(`check failed: ${msg}`); }

try {
  const page = browser.pages()[0] || await browser.newPage();
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));

  await page.goto(BASE + "/");
  check((await page.title()).startsWith("Embargo"), "page title");
  await page.waitForFunction(() => document.querySelector("#versions-summary").textContent.includes("embargo_xinjiang_pack"));
  step("page loaded with list versions");

  await page.fill("#q-name", "Hikvision");
  await page.click("#screen-btn");
  const row = page.locator(`#hits tr[data-id="${HIK}"]`);
  await row.waitFor();
  check((await row.locator("td.review").innerText()).includes("Alert"), "first screen shows an alert");
  const status = await page.locator("#screen-status").innerText();
  check(/searched .*embargo_xinjiang_pack \(\d+ entries/.test(status), `status names what was searched: ${status}`);
  check(status.includes("Only the embedded regime pack"), `a pack-only screen says so: ${status}`);
  const rowText = await row.innerText();
  check(/also: .*CMIC/.test(rowText), `the subject's other records are shown: ${rowText}`);
  step(`screened: ${status}`);

  await row.click();
  await page.locator("#d-facts dl.facts").waitFor();
  const facts = await page.locator("#detail").innerText();
  check(facts.includes("Hangzhou Hikvision Digital Technology Co., Ltd."), "detail caption");
  check(facts.includes("Matched name") && facts.includes("Hikvision"), "explanation shows the matched alias");
  check(/Federal Register|84 FR/.test(facts), "Entity List facts include the FR citation");
  check(await page.locator("#d-why table.mini").count() >= 1, "token alignment table present");
  check(await page.locator("#d-facts table.mini").count() >= 1, "citations table present");
  step("entity opened with explanation, list facts and citations");
  await page.screenshot({ path: join(SHOTS, "1-screen-detail.png"), fullPage: false });

  // Without a key the page may screen but not review.
  const reason = "Supplier is an unrelated reseller; verified registration documents";
  const review = async () => {
    await page.selectOption("#r-verdict", "false_positive");
    await page.fill("#r-reason", reason);
    await page.click("#review-btn");
  };
  await review();
  await page.waitForFunction(() => document.querySelector("#review-status").textContent.startsWith("Not recorded"));
  step(`anonymous review refused: ${await page.locator("#review-status").innerText()}`);
  // The browser logs that refused request (403) as a console error: it was
  // the point of this step, so it is not counted below.
  const refused = consoleErrors.filter((e) => e.includes("status of 403"));
  check(refused.length === 1, `exactly the refused review was logged: ${consoleErrors.join(" | ")}`);
  consoleErrors.length = 0;

  // Four eyes: the first reviewer's clear waits for a second reviewer.
  const useKey = async (k) => {
    await page.fill("#api-key", k);
    await page.locator("#api-key").dispatchEvent("change");
  };
  await useKey(process.env.EMBARGO_REVIEW_KEY_1 || "");
  await review();
  await page.waitForFunction((id) => {
    const c = document.querySelector(`#hits tr[data-id="${id}"] td.review`);
    return c && c.textContent.includes("Pending approval");
  }, HIK);
  check((await page.locator("#review-status").innerText()).includes("pending approval"), "first review pending approval");
  await useKey(process.env.EMBARGO_REVIEW_KEY_2 || "");
  await review();
  await page.waitForFunction((id) => {
    const c = document.querySelector(`#hits tr[data-id="${id}"] td.review`);
    return c && c.textContent.includes("Cleared by");
  }, HIK);
  const cleared = await page.locator(`#hits tr[data-id="${HIK}"] td.review`).innerText();
  check(/Cleared by reviewer-1, approved by reviewer-2 on \d{4}-\d{2}-\d{2}/.test(cleared), `cleared badge: ${cleared}`);
  check((await page.locator("#review-status").innerText()).startsWith("Recorded"), "review recorded message");
  step(`review approved; next screen shows: ${cleared}`);
  await page.screenshot({ path: join(SHOTS, "2-cleared.png"), fullPage: false });

  await page.click("#tab-decide");
  await page.click("#decide-btn");
  await page.waitForFunction(() => document.querySelector("#findings tbody").textContent.includes("EAR_ENTITY_LIST"));
  const findings = await page.locator("#findings tbody").innerText();
  check(findings.includes("LICENSE_REQUIRED") && findings.includes("744.11"), "Entity List finding with citation");
  step("decision shows the Entity List licence requirement with 15 CFR 744.11");
  await page.screenshot({ path: join(SHOTS, "3-decide.png"), fullPage: false });

  await page.click("#tab-lists");
  await page.waitForFunction(() => document.querySelector("#versions tbody").textContent.includes("embargo_xinjiang_pack"));
  step("list versions table shown");
  await page.screenshot({ path: join(SHOTS, "4-lists.png"), fullPage: false });

  check(consoleErrors.length === 0, `no browser console errors: ${consoleErrors.join(" | ")}`);
  console.log("PASS web e2e");
} catch (e) {
  failed = true;
  console.error("FAIL web e2e:", e.message);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
