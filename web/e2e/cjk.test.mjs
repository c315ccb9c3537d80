// Chinese names must render as glyphs, not as empty boxes ("tofu").
//
// Screen the Chinese name of Hikvision, open the hit, and for every
// element of the hit table and the detail panel whose text holds Han
// characters, draw each distinct character on a canvas in that element's
// computed font (the same font fallback as the page) and compare it with
// a code point no font has (U+0378, unassigned): a character drawn like
// the missing glyph, drawn with no ink, or drawn identically to the other
// characters is a box. With no CJK font installed Chromium draws every
// Han character as the same box, and the test fails.
//
// The negative control runs the same screen in a second browser whose
// fontconfig rejects every CJK font (FONTCONFIG_FILE): there the check
// must find boxes, or it could not fail and proves nothing.
import { writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BASE, SHOTS, check, step, withBrowser, main } from "./lib.mjs";

const HIK = "embargo_xinjiang_pack:el-hikvision";
const ZH = "杭州海康威视数字技术股份有限公司";

// Per element with Han text: how many distinct Han characters it has and
// which of them render as boxes.
function glyphReport(page) {
  return page.evaluate(() => {
    const han = /\p{Script=Han}/u;
    const roots = [...document.querySelectorAll("#hits, #detail")];
    const els = roots.flatMap((r) => [r, ...r.querySelectorAll("*")])
      .filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && han.test(n.textContent)));
    const canvas = document.createElement("canvas");
    canvas.width = 64; canvas.height = 64;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    const ink = (ch, font) => {
      ctx.clearRect(0, 0, 64, 64);
      ctx.font = font; ctx.textBaseline = "top"; ctx.fillStyle = "#000";
      ctx.fillText(ch, 4, 4);
      const d = ctx.getImageData(0, 0, 64, 64).data;
      let bits = ""; let n = 0;
      for (let i = 3; i < d.length; i += 4) { const on = d[i] > 127; bits += on ? "1" : "0"; if (on) n++; }
      return { bits, n };
    };
    return els.map((el) => {
      const cs = getComputedStyle(el);
      const font = `${cs.fontStyle} ${cs.fontWeight} 40px ${cs.fontFamily}`;
      const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join("");
      const chars = [...new Set([...text].filter((c) => han.test(c)))];
      const missing = ink("\u0378", font);
      const drawn = chars.map((c) => ({ c, ...ink(c, font) }));
      const boxes = drawn.filter((g) => g.n === 0 || g.bits === missing.bits).map((g) => g.c);
      const shapes = new Set(drawn.map((g) => g.bits)).size;
      return { tag: el.tagName.toLowerCase(), text: text.trim().slice(0, 40), font: cs.fontFamily, chars: chars.length, boxes, shapes };
    });
  });
}

function boxed(report) {
  return report.filter((r) => r.boxes.length > 0 || (r.chars >= 2 && r.shapes < r.chars));
}

async function screenChinese(page, shot) {
  await page.goto(BASE + "/");
  await page.fill("#q-name", ZH);
  await page.click("#screen-btn");
  const row = page.locator(`#hits tr[data-id="${HIK}"]`);
  await row.waitFor();
  await row.click();
  await page.locator("#d-facts dl.facts").waitFor();
  await page.waitForFunction((zh) => document.querySelector("#d-facts").textContent.includes(zh), ZH);
  // Fonts picked by fallback load asynchronously: wait until they are in.
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: join(SHOTS, shot) });
  const report = await glyphReport(page);
  check(report.length >= 2, `Chinese text found in the hit table and the detail: ${JSON.stringify(report)}`);
  check(report.some((r) => r.chars >= 10), `the full Chinese name is among them: ${JSON.stringify(report.map((r) => r.text))}`);
  return report;
}

await main("web cjk e2e", async () => {
  const report = await withBrowser("cjk", (page) => screenChinese(page, "6-cjk.png"));
  const bad = boxed(report);
  check(bad.length === 0, `Chinese characters render as boxes (install fonts-noto-cjk): ${JSON.stringify(bad.map((r) => ({ el: r.tag, text: r.text, boxes: r.boxes.join(""), shapes: `${r.shapes}/${r.chars}` })))}`);
  step(`${report.length} elements with Chinese text, every character a distinct glyph`);

  // Negative control: no CJK font at all.
  const dir = mkdtempSync(join(tmpdir(), "embargo-nocjk-"));
  try {
    const conf = join(dir, "fonts.conf");
    writeFileSync(conf, `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <selectfont><rejectfont>
    <glob>*CJK*</glob><glob>*cjk*</glob><glob>*wqy*</glob><glob>*arphic*</glob><glob>*droid*</glob>
    <pattern><patelt name="lang"><string>zh-cn</string></patelt></pattern>
  </rejectfont></selectfont>
</fontconfig>
`);
    const without = await withBrowser("cjk-control", (page) => screenChinese(page, "6-cjk-without-font.png"), { FONTCONFIG_FILE: conf });
    const caught = boxed(without);
    check(caught.length > 0, `negative control: with every CJK font rejected the check still saw glyphs, so it cannot detect boxes: ${JSON.stringify(without)}`);
    step(`negative control: without a CJK font ${caught.length} of ${without.length} elements are flagged as boxes`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
