// Review history per subject: in a hit's detail, every review decision
// filed for the screened subject (GET /v1/reviews), newest first, with
// reviewer, verdict, reason and audit record; a decision recorded in the
// page appears there at once, and another subject's decisions never do.
import { join } from "node:path";
import { BASE, SHOTS, check, step, withBrowser, main } from "./lib.mjs";

const HIK = "embargo_xinjiang_pack:el-hikvision";

await main("web review history e2e", () => withBrowser("reviews", async (page) => {
  await page.goto(BASE + "/");
  const screen = async (name, country) => {
    await page.click("#tab-screen");
    await page.fill("#q-name", name);
    await page.fill("#q-country", country);
    await page.click("#screen-btn");
    const row = page.locator(`#hits tr[data-id="${HIK}"]`);
    await row.waitFor();
    await row.click();
    await page.waitForFunction(() => /Review history/.test(document.querySelector("#d-history").textContent) && !/Loading/.test(document.querySelector("#d-history").textContent));
  };
  // A subject nobody has reviewed yet (the screen test reviews "Hikvision" without a country).
  await screen("Hikvision", "CN");
  const empty = await page.locator("#d-history").innerText();
  check(empty.includes("No review decisions filed"), `fresh subject: ${empty}`);

  const useKey = async (k) => { await page.fill("#api-key", k); await page.locator("#api-key").dispatchEvent("change"); };
  const review = async (reason) => {
    await page.selectOption("#r-verdict", "false_positive");
    await page.fill("#r-reason", reason);
    await page.click("#review-btn");
    await page.waitForFunction(() => document.querySelector("#review-status").textContent.startsWith("Recorded"));
  };
  await useKey(process.env.EMBARGO_REVIEW_KEY_1 || "");
  await review("Different registration number (USCC) on the invoice");
  await page.waitForFunction(() => document.querySelectorAll("#review-history tbody tr").length === 1);
  await useKey(process.env.EMBARGO_REVIEW_KEY_2 || "");
  await review("Second look: the supplier is a reseller in Shenzhen");
  await page.waitForFunction(() => document.querySelectorAll("#review-history tbody tr").length === 2);
  const rows = await page.locator("#review-history tbody tr").allInnerTexts();
  check(rows[0].includes("reviewer-2") && rows[0].includes("reseller in Shenzhen"), `newest first: ${rows[0]}`);
  check(rows[1].includes("reviewer-1") && rows[1].includes("USCC"), `older decision kept: ${rows[1]}`);
  check(rows.every((r) => /false positive/.test(r) && /#\d+/.test(r)), `verdict and audit record shown: ${rows}`);
  check(await page.locator("#review-history tr.this-hit").count() === 2, "both decisions are on this hit's record");
  const badge = await page.locator("#d-meta").innerText();
  check(/Cleared by reviewer-1, approved by reviewer-2/.test(badge), `the standing decision: ${badge}`);
  step("two decisions listed, newest first, with the standing clear above them");
  await page.locator("#review-history").scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, "8-review-history.png") });

  // Another subject (another country) has its own, empty, history.
  await screen("Hikvision", "US");
  const other = await page.locator("#d-history").innerText();
  check(other.includes("No review decisions filed"), `another subject's history stays separate: ${other}`);
  step("another subject's history is separate");
}));
