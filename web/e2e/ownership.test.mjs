// Ownership chains in the decision view: a payment to Company B, held 30 %
// by Tianshan Holding (itself 55 % XPCC-owned), 25 % directly by the XPCC
// (an SDN) and 45 % by an unlisted investor. The graph draws the four
// nodes with the owners above, the XPCC and — by the 50 Percent Rule —
// Tianshan and Company B as blocked, Company B's aggregate 55 % held by
// blocked owners, and the unlisted investor not blocked. A decision with
// no stated ownership draws no graph.
import { join } from "node:path";
import { BASE, SHOTS, check, step, withBrowser, main } from "./lib.mjs";

const XPCC = "XINJIANG PRODUCTION AND CONSTRUCTION CORPS";
const TX = {
  date: "2023-03-01", flow: "payment",
  actor: { us_person: true, country: "US" },
  destination: "CN",
  context: { currency: "USD" },
  item: { description: "payment for tomato paste", tags: [] },
  parties: [{ role: "counterparty", name: "Company B", country: "CN", address: null, registration_id: null }],
  ownership: [
    { owner: XPCC, owned: "Tianshan Holding", pct: 55 },
    { owner: "Tianshan Holding", owned: "Company B", pct: 30 },
    { owner: XPCC, owned: "Company B", pct: 25 },
    { owner: "Orchard Investments", owned: "Company B", pct: 45 },
  ],
};

await main("web ownership graph e2e", () => withBrowser("ownership", async (page) => {
  await page.goto(BASE + "/");
  await page.click("#tab-decide");
  await page.fill("#tx", JSON.stringify(TX, null, 2));
  await page.click("#decide-btn");
  await page.locator("#ownership-svg").waitFor();
  const findings = await page.locator("#findings tbody").innerText();
  check(/OFAC_SDN\s+PROHIBITED/.test(findings), `the 50 Percent Rule finding: ${findings.slice(0, 300)}`);
  const nodes = await page.$$eval("#ownership-svg g.own-node", (gs) => gs.map((g) => ({
    name: g.dataset.name, blocked: g.dataset.blocked === "true", pct: Number(g.dataset.pct),
    text: g.textContent, y: Number(g.querySelector("rect").getAttribute("y")),
  })));
  check(nodes.length === 4, `four nodes: ${JSON.stringify(nodes)}`);
  const n = Object.fromEntries(nodes.map((x) => [x.name, x]));
  check(n[XPCC].blocked && n[XPCC].text.includes("SDN"), `the XPCC is shown as an SDN: ${JSON.stringify(n[XPCC])}`);
  check(n["Tianshan Holding"].blocked && n["Tianshan Holding"].pct === 55, `Tianshan blocked at 55%: ${JSON.stringify(n["Tianshan Holding"])}`);
  check(n["Company B"].blocked && n["Company B"].pct === 55 && n["Company B"].text.includes("55%"), `Company B blocked, 55% in aggregate: ${JSON.stringify(n["Company B"])}`);
  check(n["Company B"].text.includes("counterparty"), "Company B is marked as the party");
  check(!n["Orchard Investments"].blocked && n["Orchard Investments"].pct === 0, `the unlisted investor is not blocked: ${JSON.stringify(n["Orchard Investments"])}`);
  check(n[XPCC].y < n["Tianshan Holding"].y && n["Tianshan Holding"].y < n["Company B"].y, "owners drawn above what they own");
  const links = await page.$$eval("#ownership-svg g.own-link", (gs) => gs.map((g) => ({
    owner: g.dataset.owner, owned: g.dataset.owned, pct: Number(g.dataset.pct),
    hot: g.querySelector("path").classList.contains("from-blocked"), label: g.textContent })));
  check(links.length === 4, `four holdings: ${JSON.stringify(links)}`);
  check(links.filter((l) => l.hot).length === 3 && !links.find((l) => l.owner === "Orchard Investments").hot, `holdings of blocked owners highlighted: ${JSON.stringify(links)}`);
  check(links.find((l) => l.owner === "Tianshan Holding").label === "30%", "edge labelled with its share");
  step("graph: XPCC (SDN) → Tianshan 55% → Company B 30% + 25% = 55%, blocked; Orchard 45% not");
  await page.locator("#ownership-graph").scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, "10-ownership.png"), fullPage: true });

  // A decision without stated ownership hides the graph.
  await page.click("#decide-example");
  await page.click("#decide-btn");
  await page.waitForFunction(() => document.querySelector("#findings tbody").textContent.includes("EAR_ENTITY_LIST"));
  check(await page.locator("#ownership-graph").isHidden(), "no ownership, no graph");
}));
