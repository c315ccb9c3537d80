// "Download report (PDF)" under a screen's and a decision's result: the
// button posts the same request to /v1/report/{screen,decide}; the browser
// receives application/pdf (with the audit record in
// x-embargo-audit-seq) and saves a file that is a PDF (starts with %PDF)
// named after that record.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BASE, SHOTS, check, step, withBrowser, main } from "./lib.mjs";

// Clicks the report button of `kind` and checks what arrives.
async function download(page, kind) {
  const btn = page.locator(`#${kind}-report-btn`);
  await btn.waitFor();
  check(await btn.isVisible(), `${kind}: the report button is shown`);
  const [response, file] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith(`/v1/report/${kind}`) && r.request().method() === "POST"),
    page.waitForEvent("download"),
    btn.click(),
  ]);
  check(response.status() === 200, `${kind}: report answered ${response.status()}`);
  const type = response.headers()["content-type"] || "";
  check(type.startsWith("application/pdf"), `${kind}: content type ${type}`);
  const seq = response.headers()["x-embargo-audit-seq"] || "";
  check(/^\d+$/.test(seq), `${kind}: audit record header ${seq}`);
  const path = await file.path();
  const bytes = readFileSync(path);
  check(bytes.length > 1000, `${kind}: a PDF of ${bytes.length} bytes`);
  check(bytes.subarray(0, 4).toString("latin1") === "%PDF", `${kind}: starts with ${bytes.subarray(0, 8).toString("latin1")}`);
  const name = file.suggestedFilename();
  check(name === `embargo-${kind === "screen" ? "screen" : "decision"}-${seq}.pdf`, `${kind}: file name ${name}`);
  step(`${kind}: ${name}, ${bytes.length} bytes, application/pdf, audit record #${seq}`);
}

await main("web report download e2e", () => withBrowser("report", async (page) => {
  await page.goto(BASE + "/");
  await page.click("#tab-screen");
  await page.fill("#q-name", "Hikvision");
  await page.click("#screen-btn");
  await page.locator("#hits tbody tr").first().waitFor();
  await download(page, "screen");
  await page.screenshot({ path: join(SHOTS, "report-screen.png"), fullPage: false });

  await page.click("#tab-decide");
  await page.click("#decide-btn");
  await page.waitForFunction(() => document.querySelector("#findings tbody").textContent.includes("EAR_ENTITY_LIST"));
  await download(page, "decide");
  const status = await page.locator("#decide-status").innerText();
  check(!/failed/i.test(status), `decision status: ${status}`);
}));
