// Batch upload: a CSV of 450 rows chosen in the Batch tab is screened
// through /v1/batch (NDJSON, streamed, in chunks), the progress bar moves
// through intermediate values while answers stream in, every row gets an
// answer (a hit, no hit, or an error that says why), and the results
// download as CSV and as JSONL with the same rows.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BASE, SHOTS, check, step, withBrowser, main } from "./lib.mjs";

const HIK = "embargo_xinjiang_pack:el-hikvision";
const ROWS = 450;

function csvFile() {
  const lines = ["id,name,country,birth_date"];
  for (let i = 1; i <= ROWS; i++) {
    let row = `c${i},Orchard Lane Florists ${i},GB,`;
    if (i === 7) row = "c7,Hikvision,CN,";
    if (i === 8) row = `c8,"Dahua Technology, Co.",CN,`;
    if (i === 9) row = "c9,,CN,";                                  // no name: an error row
    if (i === 10) row = "c10,Hikvision,XX1,";                      // bad country: an error row
    if (i === 11) row = `c11,"=HYPERLINK(""http://x"")",US,`;     // a formula in a name
    lines.push(row);
  }
  return lines.join("\r\n") + "\r\n";
}

// Minimal RFC 4180 reader for the downloaded file.
function readCsv(text) {
  const rows = []; let row = []; let f = ""; let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) { if (c === '"' && text[i + 1] === '"') { f += '"'; i++; } else if (c === '"') q = false; else f += c; }
    else if (c === '"') q = true;
    else if (c === ",") { row.push(f); f = ""; }
    else if (c === "\r") { /* CRLF */ }
    else if (c === "\n") { row.push(f); rows.push(row); row = []; f = ""; }
    else f += c;
  }
  return rows;
}

await main("web batch e2e", () => withBrowser("batch", async (page) => {
  await page.goto(BASE + "/");
  await page.click("#tab-batch");
  await page.setInputFiles("#batch-file", { name: "customers.csv", mimeType: "text/csv", buffer: Buffer.from(csvFile()) });
  // Record every value the progress bar takes.
  await page.evaluate(() => {
    window.__progress = [];
    const p = document.querySelector("#batch-progress");
    // Each attribute change is one record; its old value is a value the bar had.
    new MutationObserver((recs) => {
      for (const r of recs) if (r.attributeName === "value" && r.oldValue !== null) window.__progress.push([Number(r.oldValue), Number(p.max), !p.hidden]);
      window.__progress.push([Number(p.value), Number(p.max), !p.hidden]);
    }).observe(p, { attributes: true, attributeOldValue: true });
  });
  await page.click("#batch-btn");
  check(await page.locator("#batch-downloads").isHidden(), "no download offered before the batch is done");
  let midShot = false;
  try {
    await page.waitForFunction(() => { const p = document.querySelector("#batch-progress"); return !p.hidden && p.value > 0 && p.value < p.max; }, null, { timeout: 5000, polling: "raf" });
    await page.screenshot({ path: join(SHOTS, "7-batch-progress.png") });
    midShot = true;
  } catch (_) { console.log("· (the batch finished before a mid-progress screenshot could be taken)"); }
  await page.waitForFunction(() => !document.querySelector("#batch-downloads").hidden, null, { timeout: 120000 });
  const values = await page.evaluate(() => window.__progress);
  const mids = values.filter(([v, m, shown]) => shown && m === 450 && v > 0 && v < 450);
  check(mids.length >= 3, `the progress bar moved through intermediate values while rows streamed: ${JSON.stringify(values.slice(0, 10))}… (${values.length} updates)`);
  check(values.some(([v, m]) => v === 450 && m === 450), "the progress bar ends full");
  const counts = values.map(([v]) => v);
  check(counts.every((v, i) => i === 0 || v >= counts[i - 1] || v === 0), "progress never goes back");
  step(`progress bar took ${new Set(counts).size} values${midShot ? " (mid-way screenshot taken)" : ""}`);

  check(await page.locator("#batch-results tbody tr").count() === ROWS, "one result row per CSV row");
  const status = await page.locator("#batch-status").innerText();
  check(/450 rows of customers\.csv screened/.test(status) && /2 errors/.test(status), `status: ${status}`);
  const hik = await page.locator('#batch-results tr[data-row="7"]').innerText();
  check(hik.includes("hit") && hik.includes("Hikvision"), `row 7 (Hikvision) is a hit: ${hik}`);
  const noName = await page.locator('#batch-results tr[data-row="9"]').innerText();
  check(noName.includes("error") && /name/i.test(noName), `row 9 (no name) is an error naming the field: ${noName}`);
  const badCountry = await page.locator('#batch-results tr[data-row="10"]').innerText();
  check(badCountry.includes("error") && /country/i.test(badCountry), `row 10 (bad country) is an error naming the field: ${badCountry}`);
  const summary = await page.locator("#batch-summary").innerText();
  check(summary.includes("embargo_xinjiang_pack"), `summary names the list versions: ${summary}`);
  await page.screenshot({ path: join(SHOTS, "7-batch.png") });

  const [csvDl] = await Promise.all([page.waitForEvent("download"), page.click("#batch-csv")]);
  check(csvDl.suggestedFilename() === "customers-screened.csv", `CSV file name: ${csvDl.suggestedFilename()}`);
  const csv = readCsv(readFileSync(await csvDl.path(), "utf8"));
  check(csv.length === ROWS + 1, `CSV has a header and ${ROWS} rows: ${csv.length}`);
  const col = (n) => csv[0].indexOf(n);
  check(col("top_entity_id") >= 0 && col("outcome") >= 0 && col("list_versions") >= 0, `CSV header: ${csv[0]}`);
  check(csv[7][col("outcome")] === "hit" && csv[7][col("top_entity_id")] === HIK, `CSV row 7: ${csv[7]}`);
  check(csv[8][col("name")] === "Dahua Technology, Co.", `a quoted name with a comma survives: ${csv[8]}`);
  check(csv[9][col("outcome")] === "error" && csv[9][col("error")] !== "", `CSV row 9 keeps its error: ${csv[9]}`);
  check(csv[11][col("name")].startsWith("'="), `a formula-like name is defused: ${csv[11][col("name")]}`);
  check(csv[100][col("outcome")] === "no hit" && csv[100][col("audit_seq")] !== "", `an innocent row is "no hit" with its audit record: ${csv[100]}`);

  const [jsonDl] = await Promise.all([page.waitForEvent("download"), page.click("#batch-jsonl")]);
  const jsonl = readFileSync(await jsonDl.path(), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  check(jsonl.length === ROWS, `JSONL has ${ROWS} lines: ${jsonl.length}`);
  check(jsonl[6].row === 7 && jsonl[6].results.some((r) => r.entity_id === HIK), "JSONL row 7 carries the Hikvision result");
  check(jsonl[8].error && !jsonl[8].results, "JSONL row 9 is an error");
  check(jsonl.every((o) => o.list_versions.length === 1), "one snapshot for the whole file");
  step("CSV and JSONL downloads hold every row");
}));
