// List history chart on the Lists tab: three imported versions of a small
// FtM list (run.sh writes them): the second adds one entry, removes one
// and changes one; the third adds two. The chart shows one bar group per
// version after the first, with those counts, bar heights in proportion.
import { join } from "node:path";
import { BASE, SHOTS, check, step, withBrowser, main } from "./lib.mjs";

await main("web list history chart e2e", () => withBrowser("listchart", async (page) => {
  await page.goto(BASE + "/");
  await page.click("#tab-lists");
  const btn = page.locator('.diff-open[data-dataset="ftm"]');
  await btn.waitFor();
  await btn.click();
  await page.locator("#list-history-svg").waitFor();
  const steps = await page.$$eval("#list-history-svg g.step", (gs) => gs.map((g) => ({
    added: Number(g.dataset.added), removed: Number(g.dataset.removed), changed: Number(g.dataset.changed),
    h: Object.fromEntries([...g.querySelectorAll("rect")].map((r) => [r.getAttribute("class"), Number(r.getAttribute("height"))])),
  })));
  check(steps.length === 2, `two versions after the first: ${JSON.stringify(steps)}`);
  const [v2, v3] = steps;
  check(v2.added === 1 && v2.removed === 1 && v2.changed === 1, `version 2: +1 −1 ~1: ${JSON.stringify(v2)}`);
  check(v3.added === 2 && v3.removed === 0 && v3.changed === 0, `version 3: +2: ${JSON.stringify(v3)}`);
  check(v3.h.added > 0 && Math.abs(v3.h.added - 2 * v2.h.added) < 0.5, `bar heights in proportion: ${JSON.stringify([v2.h, v3.h])}`);
  check(v2.h.removed > 0 && v3.h.removed === 0, "removed bars drawn only where entries were removed");
  const text = await page.locator("#list-chart").innerText();
  check(text.includes("first import") && /4 entries/.test(text), `first version and entry counts labelled: ${text}`);
  step("chart: +1 −1 ~1, then +2");
  await page.screenshot({ path: join(SHOTS, "9-list-history.png") });
}));
