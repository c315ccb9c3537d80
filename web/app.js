// Embargo web page. Vanilla JS against the server's JSON API (/v1/*).
// State kept here: the last screen query (a review is recorded for that
// subject) and the hits it returned (the detail panel shows one of them).
"use strict";

const $ = (sel) => document.querySelector(sel);
const state = { query: null, hits: [], selected: null, versions: [] };

// ---------- helpers ----------
function esc(v) {
  return String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}
function apiKey() { return sessionStorage.getItem("embargo-api-key") || ""; }
async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (apiKey()) headers["X-API-Key"] = apiKey();
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await res.json(); } catch (_) { /* empty or non-JSON body */ }
  if (!res.ok) {
    const msg = data && data.error ? `${data.error.message} (${data.error.code})` : `HTTP ${res.status}`;
    throw new Error(msg);
  }
  return data;
}
function setStatus(el, text, isError) {
  el.textContent = text || "";
  el.classList.toggle("error", !!isError);
}
function tags(list) { return (list || []).map((p) => `<span class="tag">${esc(p)}</span>`).join(""); }
function fmtScore(s) { return typeof s === "number" ? s.toFixed(2) : esc(s); }

// ---------- tabs ----------
document.querySelectorAll(".tabs button").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.tab)));
function showTab(name) {
  document.querySelectorAll(".tabs button").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
  document.querySelectorAll(".panel").forEach((p) => p.classList.toggle("active", p.id === `panel-${name}`));
  if (name === "lists") loadVersions();
  if (name === "alerts") loadAlerts();
}

// ---------- API key ----------
const keyInput = $("#api-key");
keyInput.value = apiKey();
keyInput.addEventListener("change", () => { sessionStorage.setItem("embargo-api-key", keyInput.value.trim()); loadVersions(); });

// ---------- screening ----------
$("#screen-form").addEventListener("submit", (ev) => { ev.preventDefault(); runScreen(); });

function currentQuery() {
  const q = { name: $("#q-name").value.trim() };
  const schema = $("#q-schema").value; if (schema) q.schema = schema;
  const dob = $("#q-dob").value.trim(); if (dob) q.birth_date = dob;
  const country = $("#q-country").value.trim().toUpperCase(); if (country) q.country = country;
  const t = $("#q-threshold").value.trim(); if (t) q.threshold = Number(t);
  return q;
}

async function runScreen(keepSelection) {
  const q = currentQuery();
  if (!q.name) return;
  const status = $("#screen-status");
  const btn = $("#screen-btn");
  btn.disabled = true;
  setStatus(status, "Screening…");
  try {
    const res = await api("POST", "/v1/screen", q);
    state.query = q;
    state.hits = res.results || [];
    renderHits(res);
    const n = state.hits.length;
    const searched = (res.coverage || []).map((c) => `${c.dataset} (${c.entities} entries, published ${c.published || "unknown"})`).join(", ");
    const notes = (res.notes || []).join(" ");
    showReportButton("screen", q);
    setStatus(status, `${n} hit${n === 1 ? "" : "s"} for “${q.name}” · searched ${searched || (res.list_versions || []).join(", ") || "no lists"} · audit record #${res.audit_seq ?? "–"}${notes ? " · " + notes : ""}`);
    if (keepSelection && state.selected) {
      const again = state.hits.find((h) => h.entity_id === state.selected);
      if (again) openDetail(again);
    } else {
      closeDetail();
    }
  } catch (e) {
    setStatus(status, `Screening failed: ${e.message}`, true);
  } finally {
    btn.disabled = false;
  }
}

function reviewBadge(r) {
  if (!r) return `<span class="badge alert">Alert</span>`;
  if (r.status === "cleared") return `<span class="badge cleared" title="${esc(r.reason || "")}">Cleared by ${esc(r.reviewer)}${r.approved_by ? `, approved by ${esc(r.approved_by)}` : ""} on ${esc(r.date)}</span>`;
  if (r.status === "pending_approval") return `<span class="badge alert" title="${esc(r.message || "")}">Alert · Pending approval (cleared by ${esc(r.reviewer)})</span>`;
  if (r.status === "ignored") return `<span class="badge alert" title="${esc((r.warnings || []).join(" "))}">Alert · review ignored</span>`;
  if (r.status === "confirmed") return `<span class="badge match" title="${esc(r.reason || "")}">True match · ${esc(r.reviewer)} ${esc(r.date)}</span>`;
  if (r.status === "stale") return `<span class="badge stale" title="${esc(r.message || "")}">Alert again: entry changed</span>`;
  if (r.status === "expired") return `<span class="badge stale" title="${esc(r.message || "")}">Alert again: review expired</span>`;
  return `<span class="badge alert">Alert</span>`;
}

function renderHits() {
  const tbody = $("#hits tbody");
  tbody.innerHTML = "";
  $("#hits-empty").hidden = state.hits.length > 0;
  if (!state.hits.length) $("#hits-empty").textContent = "No listed party scored above the threshold.";
  state.hits.forEach((h, i) => {
    const tr = document.createElement("tr");
    tr.className = "hit";
    tr.dataset.id = h.entity_id;
    const pct = Math.max(0, Math.min(100, Math.round((h.score || 0) * 100)));
    tr.innerHTML = `<td class="num">${i + 1}</td>
      <td class="num"><span class="score">${fmtScore(h.score)}</span><span class="bar"><i style="width:${pct}%"></i></span></td>
      <td><div>${esc(h.caption)}</div><div class="id">${esc(h.schema)} · ${esc(h.entity_id)}</div></td>
      <td>${esc(h.matched_name)}</td>
      <td>${esc(h.list || h.source)}${h.list ? `<div class="id">${esc(h.list_version || h.source)}</div>` : ""}${sources(h)}</td>
      <td>${tags(h.programs)}</td>
      <td class="nowrap">${esc(h.listed_on || "")}</td>
      <td class="review">${reviewBadge(h.review)}</td>`;
    tr.addEventListener("click", () => openDetail(h));
    tbody.appendChild(tr);
  });
}

// The consolidated subject's other records: one party, every source.
function sources(h) {
  const recs = (h.records || []).filter((r) => r.entity_id !== h.entity_id);
  if (!recs.length) return "";
  return `<div class="id records" title="Records of the same party on other lists">also: ${recs.map((r) => esc(r.list || r.source)).join("; ")}</div>`;
}

// ---------- explanation ----------
function renderExplanation(h) {
  const ex = h.explanation || {};
  let html = `<h3>Why this matched</h3><dl class="facts">
    <dt>Score</dt><dd><span class="score">${fmtScore(h.score)}</span></dd>
    <dt>Matched name</dt><dd>${esc(h.matched_name)}</dd>`;
  const alias = ex.matched_alias || ex.matched_name || ex.candidate;
  if (alias && alias !== h.matched_name) html += `<dt>Matched alias</dt><dd>${esc(typeof alias === "string" ? alias : JSON.stringify(alias))}</dd>`;
  if (ex.name_kind || ex.alias_kind) html += `<dt>Name kind</dt><dd>${esc(ex.name_kind || ex.alias_kind)}</dd>`;
  html += `</dl>`;
  if (ex.query_form || ex.alias_form) html = html.replace("</dl>", `<dt>Compared as</dt><dd><code>${esc(ex.query_form)}</code> ↔ <code>${esc(ex.alias_form)}</code></dd></dl>`);
  const align = ex.tokens || [];
  if (align.length || (ex.unmatched_query || []).length || (ex.unmatched_alias || []).length) {
    html += `<table class="mini"><thead><tr><th>Query token</th><th>Listed token</th><th class="num">Similarity</th><th class="num">Weight</th></tr></thead><tbody>`;
    for (const a of align) {
      html += `<tr><td>${esc(a.query)}</td><td>${esc(a.list)}</td><td class="num">${typeof a.similarity === "number" ? a.similarity.toFixed(2) : ""}</td><td class="num">${typeof a.weight === "number" ? a.weight.toFixed(2) : ""}</td></tr>`;
    }
    for (const t of ex.unmatched_query || []) html += `<tr><td>${esc(t)}</td><td class="muted">— unmatched</td><td class="num">0.00</td><td></td></tr>`;
    for (const t of ex.unmatched_alias || []) html += `<tr><td class="muted">— unmatched</td><td>${esc(t)}</td><td class="num">0.00</td><td></td></tr>`;
    html += `</tbody></table>`;
  }
  if (Array.isArray(ex.rules) && ex.rules.length) html += `<div class="muted">Scoring rules that fired: ${ex.rules.map((r) => `<span title="${esc(r.matches)}">${esc(r.rule)} (${esc(r.factor)})</span>`).join(", ")}</div>`;
  if (typeof ex.name_score === "number") html += `<div class="muted">Name score ${ex.name_score.toFixed(2)}${typeof ex.final_score === "number" ? ` → final ${ex.final_score.toFixed(2)} after qualifiers` : ""}</div>`;
  const quals = ex.qualifiers || ex.adjustments || ex.features;
  if (Array.isArray(quals) && quals.length) {
    html += `<table class="mini"><thead><tr><th>Qualifier</th><th>Effect</th><th>Detail</th></tr></thead><tbody>`;
    for (const q of quals) {
      const name = q.name ?? q.kind ?? q.qualifier ?? "";
      const eff = q.effect ?? q.delta ?? q.weight ?? "";
      const det = q.detail ?? q.reason ?? q.note ?? "";
      html += `<tr><td>${esc(name)}</td><td class="num">${typeof eff === "number" ? (eff > 0 ? "+" : "") + eff.toFixed(2) : esc(eff)}</td><td>${esc(det)}</td></tr>`;
    }
    html += `</tbody></table>`;
  }
  if (h.explanation_text) html += `<pre class="explain">${esc(h.explanation_text)}</pre>`;
  if (h.review && (h.review.status === "stale" || h.review.status === "expired")) {
    html += `<p class="outcome-warn">${esc(h.review.message || "")}</p>`;
  }
  return html;
}

// ---------- entity detail ----------
async function openDetail(h) {
  state.selected = h.entity_id;
  document.querySelectorAll("#hits tbody tr").forEach((tr) => tr.classList.toggle("selected", tr.dataset.id === h.entity_id));
  $("#detail").hidden = false;
  $("#d-caption").textContent = h.caption;
  $("#d-meta").innerHTML = `${esc(h.schema)} · <span class="id">${esc(h.entity_id)}</span> · ${reviewBadge(h.review)}`;
  $("#d-why").innerHTML = renderExplanation(h);
  $("#d-facts").innerHTML = `<span class="muted">Loading list facts…</span>`;
  setStatus($("#review-status"), "");
  loadReviewHistory(h);
  try {
    const e = await api("GET", `/v1/entities/${encodeURIComponent(h.entity_id)}`);
    if (state.selected === h.entity_id) $("#d-facts").innerHTML = renderEntity(e);
  } catch (err) {
    $("#d-facts").innerHTML = `<span class="status error">Could not load entity: ${esc(err.message)}</span>`;
  }
}
function closeDetail() { state.selected = null; $("#detail").hidden = true; }
$("#d-close").addEventListener("click", closeDetail);

function renderEntity(e) {
  const row = (k, v) => (v === undefined || v === null || v === "" || (Array.isArray(v) && !v.length)) ? "" : `<dt>${esc(k)}</dt><dd>${v}</dd>`;
  const list = (xs) => (xs || []).map(esc).join("<br>");
  const names = (e.names || []).map((n) => `${esc(n.value)} <span class="muted">(${esc(String(n.kind).replace("_", " "))}${n.lang ? ", " + esc(n.lang) : ""})</span>`).join("<br>");
  const ids = (e.identifiers || []).map((i) => `${esc(i.kind)}: <strong>${esc(i.value)}</strong>${i.country ? " (" + esc(i.country) + ")" : ""}${i.note ? " — " + esc(i.note) : ""}`).join("<br>");
  const ec = e.export_control || {};
  const dates = (e.birth_dates || []).map((d) => typeof d === "string" ? d : `${d.from}–${d.to}`);
  const links = (e.links || []).map((l) => `${esc(String(l.kind).replace("_", " "))}: ${esc(l.target_name)}${l.percent != null ? " (" + esc(l.percent) + "%)" : ""}`).join("<br>");
  const props = Object.entries(e.properties || {}).map(([k, v]) => row(k, list(v))).join("");
  const cites = (e.citations || []).map((c) => `<tr><td>${c.url ? `<a href="${esc(c.url)}" target="_blank" rel="noopener noreferrer">${esc(c.cite)}</a>` : esc(c.cite)}</td><td>${esc(c.date || "")}</td><td>${esc(c.confidence || "")}</td></tr>`).join("");
  let html = `<h3>List facts</h3><dl class="facts">
    ${row("Dataset", esc(e.dataset))}${row("List", esc(e.list))}${row("Names", names)}
    ${row("Programs", tags(e.programs))}${row("Listed on", esc(e.listed_on))}${row("Delisted on", esc(e.delisted_on))}
    ${row("License requirement", esc(ec.license_requirement))}${row("License policy", esc(ec.license_policy))}
    ${row("Federal Register", list(ec.federal_register_notices))}${row("Countries", list(e.countries))}
    ${row("Nationality", list(e.nationalities))}${row("Citizenship", list(e.citizenships))}
    ${row("Date of birth", list(dates))}${row("Place of birth", list(e.birth_places))}
    ${row("Identifiers", ids)}${row("Addresses", list((e.addresses || []).map((a) => a.full)))}
    ${row("Links", links)}${row("Remarks", list(e.remarks))}${props}
    ${row("Source", e.source_url ? `<a href="${esc(e.source_url)}" target="_blank" rel="noopener noreferrer">${esc(e.source_url)}</a>` : "")}
  </dl>`;
  if (cites) html += `<h3 style="margin-top:10px">Citations</h3><table class="mini"><thead><tr><th>Cite</th><th>Date</th><th>Conf.</th></tr></thead><tbody>${cites}</tbody></table>`;
  return html;
}

// ---------- reviews ----------
$("#review-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const st = $("#review-status");
  if (!state.query || !state.selected) { setStatus(st, "Screen a name and open a hit first.", true); return; }
  const body = {
    subject: { name: state.query.name, schema: state.query.schema, birth_date: state.query.birth_date, country: state.query.country },
    entity_id: state.selected,
    verdict: $("#r-verdict").value,
    reason: $("#r-reason").value.trim(),
  };
  const exp = $("#r-expires").value; if (exp) body.expires = exp;
  $("#review-btn").disabled = true;
  try {
    const r = await api("POST", "/v1/reviews", body);
    $("#r-reason").value = "";
    // Screen again so the table shows the decision as it now applies.
    await runScreen(true);
    const pending = r.status === "pending_approval" ? " — pending approval by a second, different reviewer" : "";
    setStatus(st, `Recorded ${body.verdict.replace("_", " ")} by ${r.reviewer}${pending} (audit #${r.audit_seq ?? "–"}).`);
  } catch (e) {
    setStatus(st, `Not recorded: ${e.message}`, true);
  } finally {
    $("#review-btn").disabled = false;
  }
});

// ---------- decisions ----------
const EXAMPLE_TX = {
  date: "2019-11-01", flow: "export",
  actor: { us_person: true, country: "US" },
  destination: "CN",
  item: { description: "US-made camera module", origin: "US", located_in: "US", eccn: "6A993", tags: [] },
  parties: [{ role: "end_user", name: "Hangzhou Hikvision Digital Technology Co., Ltd.", country: "CN",
    address: "No. 555 Qianmo Road, Binjiang District, Hangzhou, 310052", registration_id: null }],
};
$("#tx").value = JSON.stringify(EXAMPLE_TX, null, 2);
$("#decide-example").addEventListener("click", () => { $("#tx").value = JSON.stringify(EXAMPLE_TX, null, 2); });
$("#decide-btn").addEventListener("click", runDecision);

function outcomeClass(o) {
  const s = String(o || "");
  if (/PROHIBITED|LICENSE_REQUIRED|DETAINED|DENIED/.test(s) && !/NOT_PROHIBITED|NO_LICENSE/.test(s)) return "outcome-bad";
  if (/REVIEW|INDETERMINATE|NEXUS|RED_FLAG|RISK|POSSIBLE|LIKELY/.test(s)) return "outcome-warn";
  return "outcome-ok";
}
function citeText(c) {
  if (typeof c === "string") return esc(c);
  const label = c.cite || c.text || JSON.stringify(c);
  return c.url ? `<a href="${esc(c.url)}" target="_blank" rel="noopener noreferrer">${esc(label)}</a>` : esc(label);
}

async function runDecision() {
  const st = $("#decide-status");
  let tx;
  try { tx = JSON.parse($("#tx").value); } catch (e) { setStatus(st, `Not valid JSON: ${e.message}`, true); return; }
  $("#decide-btn").disabled = true;
  setStatus(st, "Deciding…");
  try {
    const res = await api("POST", "/v1/decide", tx);
    const d = res.decision || res;
    const findings = d.findings || [];
    $("#findings tbody").innerHTML = findings.map((f) => `<tr>
      <td><strong>${esc(f.measure)}</strong></td>
      <td class="${outcomeClass(f.outcome)}">${esc(f.outcome)}</td>
      <td>${esc(f.review_policy || "")}</td>
      <td><ul class="reasons">${(f.reasons || []).map((r) => `<li>${esc(r)}</li>`).join("")}</ul>${f.confidence ? ` <span class="tag">${esc(f.confidence)}</span>` : ""}</td>
      <td>${(f.citations || f.cites || []).map(citeText).join("<br>")}</td></tr>`).join("");
    const overall = d.overall || d.verdict || d.outcome || d.summary;
    $("#decision-summary").innerHTML = (overall ? `<strong>Overall:</strong> <span class="${outcomeClass(typeof overall === "string" ? overall : "")}">${esc(typeof overall === "string" ? overall : JSON.stringify(overall))}</span>` : "")
      + (res.decision_text ? `<details class="block"><summary>Full decision text (as written to the audit log)</summary><pre class="explain">${esc(res.decision_text)}</pre></details>` : "");
    drawOwnership(d);
    showReportButton("decide", tx);
    setStatus(st, `${findings.length} finding${findings.length === 1 ? "" : "s"} · list versions ${(res.list_versions || []).join(", ")} · audit record #${res.audit_seq ?? "–"}`);
  } catch (e) {
    setStatus(st, `Decision failed: ${e.message}`, true);
  } finally {
    $("#decide-btn").disabled = false;
  }
}

// ---------- lists ----------
async function loadVersions() {
  try {
    const res = await api("GET", "/v1/lists");
    state.versions = res.versions || [];
    $("#versions-summary").textContent = state.versions.map((v) => `${v.dataset} ${v.version}`).join(" · ");
    $("#loaded-at").textContent = res.loaded_at ? `snapshot built ${res.loaded_at.replace("T", " ").slice(0, 19)} UTC` : "";
    $("#versions tbody").innerHTML = state.versions.map((v) => `<tr>
      <td><strong>${esc(v.dataset)}</strong></td><td>${esc(v.source)}</td><td>${esc(v.version)}</td>
      <td>${esc(v.published || "")}</td><td>${esc(String(v.imported_at || "").replace("T", " ").slice(0, 19))}</td>
      <td class="num">${esc(v.entity_count)}</td><td class="id" title="${esc(v.sha256)}">${esc(String(v.sha256 || "").slice(0, 12))}</td>
      <td>${v.source === "regime_pack" ? `<span class="muted">embedded in the binary</span>` : `<button class="ghost diff-open" data-dataset="${esc(v.dataset)}" type="button">History / diff</button>`}</td></tr>`).join("");
    document.querySelectorAll(".diff-open").forEach((b) => b.addEventListener("click", () => openDiff(b.dataset.dataset)));
  } catch (e) {
    $("#versions-summary").textContent = `lists: ${e.message}`;
  }
}

async function openDiff(dataset) {
  $("#diff-box").hidden = false;
  $("#diff-title").textContent = `Changes in ${dataset}`;
  $("#diff-box").dataset.dataset = dataset;
  $("#diff-out").innerHTML = "";
  drawListHistory(dataset);
  try {
    const res = await api("GET", `/v1/lists/${encodeURIComponent(dataset)}/versions`);
    const opts = (res.versions || []).map((v) => `<option value="${esc(v.version)}">${esc(v.version)} (${esc(v.entity_count)})</option>`).join("");
    $("#diff-old").innerHTML = opts; $("#diff-new").innerHTML = opts;
    const n = (res.versions || []).length;
    if (n >= 2) { $("#diff-old").selectedIndex = n - 2; $("#diff-new").selectedIndex = n - 1; }
    setStatus($("#diff-status"), n < 2 ? "Only one version imported: nothing to compare yet." : "");
  } catch (e) {
    setStatus($("#diff-status"), e.message, true);
  }
}
$("#diff-btn").addEventListener("click", async () => {
  const ds = $("#diff-box").dataset.dataset;
  const q = new URLSearchParams({ old: $("#diff-old").value, new: $("#diff-new").value });
  try {
    const d = await api("GET", `/v1/lists/${encodeURIComponent(ds)}/diff?${q}`);
    const nameOf = (e) => e.caption || (e.names && e.names[0] && e.names[0].value) || e.id || "";
    const short = (v) => { const t = typeof v === "string" ? v : JSON.stringify(v); return t && t.length > 80 ? t.slice(0, 77) + "…" : (t ?? ""); };
    const changeText = (c) => (c.fields || []).map((f) => `<strong>${esc(f.field)}</strong>: ${esc(short(f.old))} → ${esc(short(f.new))}`).join("<br>");
    const section = (title, rows, detail) => rows && rows.length
      ? `<h3>${esc(title)} (${rows.length})</h3><table class="mini"><thead><tr><th>Name</th><th>Id</th><th>${detail ? "What changed" : "List"}</th></tr></thead><tbody>${rows.slice(0, 500).map((r) => `<tr><td>${esc(nameOf(r))}</td><td class="id">${esc(r.id)}</td><td>${detail ? changeText(r) : esc(r.list || r.dataset || "")}</td></tr>`).join("")}</tbody></table>`
      : "";
    const html = section("Added", d.added) + section("Removed", d.removed) + section("Changed", d.changed, true);
    $("#diff-out").innerHTML = html || `<p class="empty">No differences between ${esc(d.old && d.old.version)} and ${esc(d.new && d.new.version)}.</p>`;
    setStatus($("#diff-status"), "");
  } catch (e) {
    setStatus($("#diff-status"), e.message, true);
  }
});
$("#reload-btn").addEventListener("click", async () => {
  try { await api("POST", "/v1/admin/reload"); await loadVersions(); }
  catch (e) { $("#loaded-at").textContent = `reload failed: ${e.message}`; }
});

loadVersions();

// ---------- alerts (monitoring work queue) ----------
const alertState = { alerts: [], selected: null };
$("#alerts-form").addEventListener("submit", (ev) => { ev.preventDefault(); loadAlerts(); });
$("#ad-close").addEventListener("click", () => { alertState.selected = null; $("#alert-detail").hidden = true; });

function alertLists(a) {
  const seen = [];
  for (const r of a.subject || []) {
    const l = r.list ? `${r.source} (${r.list})` : r.source;
    if (!seen.includes(l)) seen.push(l);
  }
  return seen;
}

async function loadAlerts() {
  const status = $("#alerts-status");
  const params = new URLSearchParams();
  const st = $("#a-state").value; if (st) params.set("state", st);
  const book = $("#a-book").value.trim(); if (book) params.set("book", book);
  const cust = $("#a-customer").value.trim(); if (cust) params.set("customer", cust);
  setStatus(status, "Loading…");
  try {
    const res = await api("GET", "/v1/alerts?" + params.toString());
    alertState.alerts = res.alerts || [];
    const tbody = $("#alerts tbody");
    tbody.innerHTML = "";
    for (const a of alertState.alerts) {
      const tr = document.createElement("tr");
      tr.dataset.id = a.id;
      tr.className = "alert-row state-" + a.state;
      tr.innerHTML = `<td class="num">${a.id}</td><td><span class="badge state-${esc(a.state)}">${esc(a.state.replace("_", " "))}</span></td>` +
        `<td>${esc(a.book)}</td><td>${esc(a.customer_id)} · ${esc(a.customer_name)}</td><td class="num">${fmtScore(a.score)}</td>` +
        `<td>${esc(a.caption)}</td><td>${alertLists(a).map(esc).join("<br>")}</td><td class="muted">${esc(a.cause)}</td>`;
      tr.addEventListener("click", () => openAlert(a.id));
      tbody.appendChild(tr);
    }
    $("#alerts-empty").hidden = alertState.alerts.length > 0;
    setStatus(status, `${res.count} alert${res.count === 1 ? "" : "s"}`);
    if (alertState.selected) openAlert(alertState.selected);
  } catch (e) {
    setStatus(status, "Alerts could not be loaded: " + e.message, true);
  }
}

async function openAlert(id) {
  try {
    const a = await api("GET", "/v1/alerts/" + id);
    const same = alertState.selected === a.id;
    alertState.selected = a.id;
    $("#alert-detail").hidden = false;
    $("#ad-title").textContent = `Alert #${a.id}: ${a.customer_name} ↔ ${a.caption}`;
    $("#ad-meta").innerHTML = `<span class="badge state-${esc(a.state)}">${esc(a.state.replace("_", " "))}</span> book ${esc(a.book)} · customer ${esc(a.customer_id)} · score ${fmtScore(a.score)} · ${esc(a.list_version)}` +
      (a.state_reason ? `<div>${esc(a.state_reason)}</div>` : "");
    $("#ad-why").innerHTML = `<h3>Why it matched</h3><pre class="explanation">${esc(a.explanation_text)}</pre><div class="muted">Cause: ${esc(a.cause)}</div>`;
    $("#ad-subject").innerHTML = "<h3>Listed subject</h3>" + (a.subject || []).map((r) =>
      `<div>${esc(r.caption)} <span class="muted">${esc(r.entity_id)} · ${esc(r.source)}${r.list ? " · " + esc(r.list) : ""} · ${esc(r.list_version)}</span> ${tags(r.programs)}</div>`).join("");
    $("#ad-history").innerHTML = "<h3>History</h3><ol class=\"history\">" + (a.history || []).map((e) =>
      `<li><span class="muted">${esc(e.at)}</span> ${esc(e.actor)}: <strong>${esc(e.event)}</strong> → ${esc(e.state)} — ${esc(e.detail)}${e.audit_seq ? ` <span class="muted">(audit #${e.audit_seq})</span>` : ""}</li>`).join("") + "</ol>";
    const closed = a.state === "closed";
    $("#resolve-btn").disabled = closed;
    // Re-reading the alert just resolved keeps the resolution's message.
    if (closed) setStatus($("#resolve-status"), "Closed alerts cannot be resolved.");
    else if (!same) setStatus($("#resolve-status"), "");
  } catch (e) {
    setStatus($("#alerts-status"), "Alert could not be read: " + e.message, true);
  }
}

$("#resolve-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const id = alertState.selected;
  if (!id) return;
  const body = { verdict: $("#ar-verdict").value, reason: $("#ar-reason").value.trim() };
  const exp = $("#ar-expires").value; if (exp) body.expires = exp;
  const status = $("#resolve-status");
  setStatus(status, "Recording…");
  try {
    const res = await api("POST", `/v1/alerts/${id}/resolve`, body);
    setStatus(status, `Alert is now ${res.alert.state.replace("_", " ")}: ${res.mark.message} (audit #${res.audit_seq})`);
    await loadAlerts();
  } catch (e) {
    setStatus(status, "Not resolved: " + e.message, true);
  }
});

// ---------- batch upload (CSV → /v1/batch, NDJSON streamed back) ----------
// The CSV is read in the browser, sent in chunks of BATCH_CHUNK rows as
// NDJSON screen requests, and the answers are counted as they stream in
// (the progress bar). Every row ends with an answer or an error; none is
// dropped silently. Results download as CSV or JSONL.
const BATCH_CHUNK = 200;
const batchState = { rows: [], answers: [], versions: [], name: "" };
const BATCH_COLUMNS = {
  name: ["name", "full_name", "subject", "customer_name", "party"],
  id: ["id", "ref", "reference", "customer_id", "customer"],
  schema: ["schema", "type"],
  birth_date: ["birth_date", "dob", "date_of_birth", "birthdate"],
  country: ["country", "country_code"],
};

// RFC 4180: quoted fields, doubled quotes, CRLF or LF; a BOM is dropped.
function parseCsv(text) {
  const rows = []; let row = []; let field = ""; let quoted = false;
  const s = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && s[i + 1] === "\n") i++;
      row.push(field); field = "";
      if (row.some((f) => f.trim() !== "")) rows.push(row);
      row = [];
    } else field += c;
  }
  if (quoted) throw new Error("the file ends inside a quoted field");
  row.push(field);
  if (row.some((f) => f.trim() !== "")) rows.push(row);
  return rows;
}

function batchColumns(header) {
  const norm = header.map((h) => h.trim().toLowerCase().replace(/[\s-]+/g, "_"));
  const cols = {};
  for (const [field, names] of Object.entries(BATCH_COLUMNS)) {
    const i = norm.findIndex((h) => names.includes(h));
    if (i >= 0) cols[field] = i;
  }
  if (cols.name === undefined) throw new Error(`no name column in the header (${header.join(", ")}); expected one of: ${BATCH_COLUMNS.name.join(", ")}`);
  return cols;
}

// Sends NDJSON `lines`, calls onLine(object) for every answer line as it arrives.
async function streamBatch(lines, onLine) {
  const headers = { Accept: "application/x-ndjson", "Content-Type": "application/x-ndjson" };
  if (apiKey()) headers["X-API-Key"] = apiKey();
  const res = await fetch("/v1/batch", { method: "POST", headers, body: lines.join("\n") + "\n" });
  if (!res.ok) {
    let msg = `HTTP ${res.status}`;
    try { const d = await res.json(); if (d && d.error) msg = `${d.error.message} (${d.error.code})`; } catch (_) { /* not JSON */ }
    throw new Error(msg);
  }
  const reader = res.body.getReader();
  const dec = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buf += dec.decode(value, { stream: true });
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).trim(); buf = buf.slice(nl + 1);
      if (line) onLine(JSON.parse(line));
    }
    if (done) break;
  }
  if (buf.trim()) onLine(JSON.parse(buf));
}

function batchProgress(done, total) {
  const p = $("#batch-progress");
  p.hidden = false; p.max = Math.max(1, total); p.value = done;
  $("#batch-count").textContent = `${done} / ${total} rows screened`;
}

async function runBatch() {
  const st = $("#batch-status");
  const file = $("#batch-file").files[0];
  if (!file) { setStatus(st, "Choose a CSV file first.", true); return; }
  let table;
  try {
    table = parseCsv(await file.text());
    if (table.length < 2) throw new Error("no data rows after the header");
  } catch (e) { setStatus(st, `${file.name}: ${e.message}`, true); return; }
  let cols;
  try { cols = batchColumns(table[0]); } catch (e) { setStatus(st, `${file.name}: ${e.message}`, true); return; }
  const threshold = $("#batch-threshold").value.trim();
  const rows = table.slice(1).map((r, i) => {
    const q = { id: cols.id !== undefined && r[cols.id] ? r[cols.id].trim() : `row-${i + 1}`, name: (r[cols.name] || "").trim() };
    for (const f of ["schema", "birth_date", "country"]) if (cols[f] !== undefined && (r[cols[f]] || "").trim()) q[f] = r[cols[f]].trim();
    if (threshold) q.threshold = Number(threshold);
    return q;
  });
  batchState.rows = rows; batchState.answers = new Array(rows.length).fill(null); batchState.versions = []; batchState.name = file.name;
  $("#batch-results tbody").innerHTML = "";
  $("#batch-downloads").hidden = true;
  $("#batch-btn").disabled = true;
  let done = 0;
  batchProgress(0, rows.length);
  setStatus(st, `Screening ${rows.length} rows of ${file.name}…`);
  try {
    for (let start = 0; start < rows.length; start += BATCH_CHUNK) {
      const chunk = rows.slice(start, start + BATCH_CHUNK);
      await streamBatch(chunk.map((q) => JSON.stringify(q)), (o) => {
        if (o.list_versions) {
          const v = o.list_versions.join(", ");
          if (!batchState.versions.includes(v)) batchState.versions.push(v);
          return;
        }
        const i = start + (o.line || 0) - 1;
        if (i < start || i >= start + chunk.length || batchState.answers[i]) return;
        batchState.answers[i] = o;
        done++;
        batchProgress(done, rows.length);
        appendBatchRow(i);
      });
    }
  } catch (e) {
    setStatus(st, `Batch stopped: ${e.message}`, true);
  } finally {
    $("#batch-btn").disabled = false;
  }
  // A row the server never answered is said to be unscreened, not dropped.
  batchState.answers.forEach((a, i) => {
    if (!a) { batchState.answers[i] = { line: i + 1, id: rows[i].id, error: { code: "not_screened", message: "no answer from the server for this row" } }; appendBatchRow(i); }
  });
  const s = batchSummary();
  $("#batch-summary").textContent = `${s.total} rows · ${s.hits} with hits · ${s.clear} without · ${s.errors} errors · lists ${batchState.versions.join(" | ") || "unknown"}${batchState.versions.length > 1 ? " (the lists changed between chunks)" : ""}`;
  $("#batch-downloads").hidden = false;
  if (!st.classList.contains("error")) setStatus(st, `Done: ${s.total} rows of ${file.name} screened, ${s.hits} with hits, ${s.errors} errors.`, s.errors > 0);
}

function batchSummary() {
  const a = batchState.answers;
  const errors = a.filter((x) => x && x.error).length;
  const hits = a.filter((x) => x && !x.error && (x.results || []).length).length;
  return { total: a.length, errors, hits, clear: a.length - errors - hits };
}

function batchOutcome(a) {
  if (!a) return "pending";
  if (a.error) return "error";
  return (a.results || []).length ? "hit" : "no hit";
}

function appendBatchRow(i) {
  const q = batchState.rows[i]; const a = batchState.answers[i];
  const top = a && !a.error ? (a.results || [])[0] : null;
  const tr = document.createElement("tr");
  tr.dataset.row = String(i + 1);
  const outcome = batchOutcome(a);
  tr.className = `batch-${outcome.replace(" ", "-")}`;
  tr.innerHTML = `<td class="num">${i + 1}</td><td class="id">${esc(q.id)}</td><td>${esc(q.name)}</td>
    <td>${outcome === "error" ? `<span class="outcome-bad">error</span> <span class="muted">${esc(a.error.message)}</span>` : outcome === "hit" ? `<span class="badge alert">hit</span>` : `<span class="muted">no hit</span>`}</td>
    <td class="num">${a && a.results ? a.results.length : ""}</td><td class="num">${top ? fmtScore(top.score) : ""}</td>
    <td>${top ? esc(top.caption) : ""}</td><td>${top ? esc(top.list || top.source) : ""}</td><td>${top && top.review ? esc(top.review.status) : ""}</td>`;
  // Keep row order whatever order answers arrive in.
  const tbody = $("#batch-results tbody");
  const after = [...tbody.children].find((r) => Number(r.dataset.row) > i + 1);
  const old = tbody.querySelector(`tr[data-row="${i + 1}"]`);
  if (old) old.replaceWith(tr); else tbody.insertBefore(tr, after || null);
}

// A cell a spreadsheet would run as a formula is prefixed with an apostrophe.
function csvCell(v) {
  let s = v === undefined || v === null ? "" : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function batchCsv() {
  const head = ["row", "id", "name", "schema", "birth_date", "country", "outcome", "hits", "top_score", "top_caption", "top_entity_id", "top_list", "top_list_version", "top_review", "error", "audit_seq", "list_versions"];
  const lines = [head.join(",")];
  batchState.rows.forEach((q, i) => {
    const a = batchState.answers[i] || {};
    const top = (a.results || [])[0] || {};
    lines.push([i + 1, q.id, q.name, q.schema, q.birth_date, q.country, batchOutcome(a), (a.results || []).length, top.score, top.caption, top.entity_id,
      top.list || top.source, top.list_version, top.review && top.review.status, a.error && `${a.error.code}: ${a.error.message}`, a.audit_seq, batchState.versions.join(" | ")].map(csvCell).join(","));
  });
  return lines.join("\r\n") + "\r\n";
}

function batchJsonl() {
  return batchState.rows.map((q, i) => {
    const a = batchState.answers[i] || {};
    const o = { row: i + 1, id: q.id, query: q, outcome: batchOutcome(a), list_versions: batchState.versions };
    if (a.error) o.error = a.error; else { o.results = a.results || []; o.audit_seq = a.audit_seq; }
    return JSON.stringify(o);
  }).join("\n") + "\n";
}

function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url; a.download = filename;
  document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
const batchBase = () => (batchState.name || "batch").replace(/\.csv$/i, "") + "-screened";
$("#batch-form").addEventListener("submit", (ev) => { ev.preventDefault(); runBatch(); });
$("#batch-csv").addEventListener("click", () => download(batchBase() + ".csv", batchCsv(), "text/csv"));
$("#batch-jsonl").addEventListener("click", () => download(batchBase() + ".jsonl", batchJsonl(), "application/x-ndjson"));

// ---------- review history of the screened subject (hit detail) ----------
async function loadReviewHistory(h) {
  const box = $("#d-history");
  const q = state.query;
  if (!q) { box.innerHTML = ""; return; }
  box.innerHTML = `<h3>Review history</h3><span class="muted">Loading…</span>`;
  const params = new URLSearchParams({ name: q.name });
  for (const f of ["schema", "birth_date", "country"]) if (q[f]) params.set(f, q[f]);
  try {
    const res = await api("GET", "/v1/reviews?" + params.toString());
    if (state.selected !== h.entity_id) return;
    const mine = new Set([h.entity_id, ...(h.records || []).map((r) => r.entity_id)]);
    const rows = res.reviews || [];
    const warn = (res.warnings || []).map((w) => `<p class="outcome-warn">${esc(w)}</p>`).join("");
    if (!rows.length) {
      box.innerHTML = `<h3>Review history</h3><p class="muted">No review decisions filed for “${esc(q.name)}” yet.</p>${warn}`;
      return;
    }
    const body = rows.slice().reverse().map((r) => `<tr class="${mine.has(r.entity_id) ? "this-hit" : ""}" data-review="${esc(r.review_id)}">
      <td class="nowrap">${esc(String(r.decided_at).replace("T", " ").slice(0, 16))}</td><td>${esc(r.reviewer)}</td>
      <td class="${r.verdict === "true_match" ? "outcome-bad" : "outcome-ok"}">${esc(r.verdict.replace("_", " "))}</td>
      <td>${esc(r.reason)}${r.expires ? ` <span class="muted">(until ${esc(r.expires)})</span>` : ""}</td>
      <td>${esc(r.caption || r.entity_id)}${mine.has(r.entity_id) ? "" : ` <span class="muted">(other record)</span>`}</td>
      <td class="num">#${esc(r.audit_seq)}</td></tr>`).join("");
    box.innerHTML = `<h3>Review history (${rows.length})</h3><div class="muted">Every decision filed for “${esc(q.name)}”, newest first; the badge above says which one stands.</div>
      <table class="mini" id="review-history"><thead><tr><th>When (UTC)</th><th>Reviewer</th><th>Verdict</th><th>Reason</th><th>Record</th><th>Audit</th></tr></thead><tbody>${body}</tbody></table>${warn}`;
  } catch (e) {
    if (state.selected === h.entity_id) box.innerHTML = `<h3>Review history</h3><span class="status error">Could not load the review history: ${esc(e.message)}</span>`;
  }
}

// ---------- list history chart (Lists tab) ----------
// Entries added, removed and changed per stored version of one list, from
// the diffs between consecutive versions; plain SVG.
const CHART_VERSIONS = 12;
async function drawListHistory(dataset) {
  const box = $("#list-chart");
  box.innerHTML = `<span class="muted">Loading list history…</span>`;
  try {
    const vs = ((await api("GET", `/v1/lists/${encodeURIComponent(dataset)}/versions`)).versions || []).slice(-CHART_VERSIONS - 1);
    const steps = [];
    for (let i = 0; i < vs.length; i++) {
      if (i === 0) { steps.push({ version: vs[0].version, first: true, count: Number(vs[0].entity_count) || 0 }); continue; }
      const q = new URLSearchParams({ old: vs[i - 1].version, new: vs[i].version });
      const d = await api("GET", `/v1/lists/${encodeURIComponent(dataset)}/diff?${q}`);
      steps.push({ version: vs[i].version, count: Number(vs[i].entity_count) || 0,
        added: (d.added || []).length, removed: (d.removed || []).length, changed: (d.changed || []).length });
    }
    if ($("#diff-box").dataset.dataset !== dataset) return;
    box.innerHTML = listChartSvg(dataset, steps);
  } catch (e) {
    box.innerHTML = `<span class="status error">List history unavailable: ${esc(e.message)}</span>`;
  }
}

function listChartSvg(dataset, steps) {
  const W = 720, H = 220, left = 48, top = 24, bottom = 48, mid = top + (H - top - bottom) / 2;
  const half = (H - top - bottom) / 2;
  const max = Math.max(1, ...steps.filter((s) => !s.first).map((s) => Math.max(s.added, s.changed, s.removed)));
  const slot = (W - left - 10) / Math.max(1, steps.length);
  const bw = Math.min(28, slot / 3);
  const y = (n) => (n / max) * (half - 8);
  let g = `<line x1="${left}" y1="${mid}" x2="${W - 6}" y2="${mid}" class="axis"/>`
    + `<text x="${left - 6}" y="${top + 4}" class="tick" text-anchor="end">+${max}</text><text x="${left - 6}" y="${H - bottom}" class="tick" text-anchor="end">−${max}</text>`;
  steps.forEach((s, i) => {
    const cx = left + slot * i + slot / 2;
    const room = Math.max(8, Math.floor(slot / 6.5));
    const label = s.version.length > room ? s.version.slice(0, room - 1) + "…" : s.version;
    g += `<text x="${cx}" y="${H - bottom + 16}" class="tick" text-anchor="middle"><title>${esc(s.version)}</title>${esc(label)}</text>`
      + `<text x="${cx}" y="${H - bottom + 30}" class="tick muted" text-anchor="middle">${esc(s.count)} entries</text>`;
    if (s.first) {
      g += `<text x="${cx}" y="${mid - 6}" class="tick" text-anchor="middle">first import</text>`;
      return;
    }
    const ha = y(s.added), hc = y(s.changed), hr = y(s.removed);
    g += `<g class="step" data-version="${esc(s.version)}" data-added="${s.added}" data-removed="${s.removed}" data-changed="${s.changed}">`
      + `<rect class="added" x="${cx - bw - 1}" y="${mid - ha}" width="${bw}" height="${ha}"><title>${s.added} added in ${esc(s.version)}</title></rect>`
      + `<rect class="changed" x="${cx + 1}" y="${mid - hc}" width="${bw}" height="${hc}"><title>${s.changed} changed in ${esc(s.version)}</title></rect>`
      + `<rect class="removed" x="${cx - bw / 2}" y="${mid}" width="${bw}" height="${hr}"><title>${s.removed} removed in ${esc(s.version)}</title></rect>`
      + `<text x="${cx - bw / 2 - 1}" y="${mid - ha - 3}" class="val" text-anchor="middle">+${s.added}</text>`
      + `<text x="${cx + bw / 2 + 1}" y="${mid - hc - 3}" class="val" text-anchor="middle">~${s.changed}</text>`
      + `<text x="${cx}" y="${mid + hr + 11}" class="val" text-anchor="middle">−${s.removed}</text></g>`;
  });
  return `<div class="chart-head"><strong>History of ${esc(dataset)}</strong> <span class="legend"><i class="added"></i>added <i class="changed"></i>changed <i class="removed"></i>removed, per version against the one before</span></div>
    <svg id="list-history-svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Entries added, changed and removed per version of ${esc(dataset)}">${g}</svg>`;
}

// ---------- ownership graph (decision view) ----------
// Draws the decision's `ownership` section (computed by the rules engine:
// listed and blocked nodes, aggregate shares) as a layered SVG graph,
// owners above what they own. Red: blocked (an SDN, or owned ≥ 50 % by
// blocked persons); the share on each node is what blocked owners hold
// in it, in aggregate.
function drawOwnership(d) {
  const box = $("#ownership-graph");
  const g = d && d.ownership;
  if (!g || !(g.nodes || []).length) { box.hidden = true; box.innerHTML = ""; return; }
  const nodes = g.nodes; const edges = g.edges || [];
  const idx = new Map(nodes.map((n, i) => [n.name, i]));
  // Layer = longest chain of owners above (cycles cut by the bound).
  const layer = nodes.map(() => 0);
  for (let pass = 0; pass < nodes.length; pass++) {
    for (const e of edges) {
      const a = idx.get(e.owner), b = idx.get(e.owned);
      if (a !== undefined && b !== undefined && layer[b] < layer[a] + 1 && layer[a] + 1 < nodes.length) layer[b] = layer[a] + 1;
    }
  }
  // Rows of items: nodes, and one waypoint per row an edge crosses, so
  // a holding that skips a layer passes between nodes, not behind them.
  const rows = Array.from({ length: Math.max(...layer) + 1 }, () => []);
  nodes.forEach((n, i) => rows[layer[i]].push({ node: i }));
  const links = [];
  edges.forEach((e, k) => {
    const a = idx.get(e.owner), b = idx.get(e.owned);
    if (a === undefined || b === undefined) return;
    const via = [];  // a holding back up (circular ownership) is drawn straight
    for (let l = layer[a] + 1; l < layer[b]; l++) { const w = { edge: k }; rows[l].push(w); via.push(w); }
    links.push({ e, a, b, via });
  });
  const NW = 210, NH = 54, DW = 34, GX = 30, GY = 70, PAD = 16;
  const width = (it) => (it.node !== undefined ? NW : DW);
  const rowWidth = (r) => r.reduce((t, it) => t + width(it), 0) + Math.max(0, r.length - 1) * GX;
  const W = Math.max(480, PAD * 2 + Math.max(...rows.map(rowWidth)));
  const H = PAD * 2 + rows.length * NH + (rows.length - 1) * GY;
  const place = (r, li) => {
    let x = (W - rowWidth(r)) / 2;
    for (const it of r) { it.x = x; it.cx = x + width(it) / 2; it.y = PAD + li * (NH + GY); x += width(it) + GX; }
  };
  const pos = [];
  rows.forEach((r, li) => {
    // Order a row by where what feeds it sits in the row above (fewer crossings).
    if (li > 0) {
      const at = (it) => {
        if (it.node === undefined) {
          const l = links.find((x) => x.e === edges[it.edge]); const k = l.via.indexOf(it);
          return k > 0 ? l.via[k - 1].cx : pos[l.a].x + NW / 2;
        }
        const xs = links.filter((l) => l.b === it.node).map((l) => (l.via.length ? l.via[l.via.length - 1].cx : pos[l.a].x + NW / 2));
        return xs.length ? xs.reduce((t, v) => t + v, 0) / xs.length : W / 2;
      };
      r.forEach((it) => { it.key = at(it); });
      r.sort((p, q) => p.key - q.key);
    }
    place(r, li);
    r.forEach((it) => { if (it.node !== undefined) pos[it.node] = { x: it.x, y: it.y }; });
  });
  const short = (s, n) => (s.length > n ? s.slice(0, n - 1) + "…" : s);
  const pct = (v) => `${Math.round(v * 100) / 100}%`;
  const status = (n) => {
    const listed = (n.listed || []).filter((l) => l.in_force);
    if (listed.some((l) => l.regime === "SDN")) return "SDN: blocked";
    if (n.blocked) return `blocked: ${pct(n.blocked_owned_pct)} by blocked owners`;
    if (listed.length) return `Entity List${n.blocked_owned_pct ? ` · ${pct(n.blocked_owned_pct)} blocked-owned` : ""}`;
    if (n.el_owned) return `EL-owned ${pct(n.el_owned_pct)}`;
    if ((n.listed || []).length) return "listing on the date uncertain";
    if (n.blocked_owned_pct > 0) return `${pct(n.blocked_owned_pct)} by blocked owners (< 50%)`;
    if (n.el_owned_pct > 0) return `${pct(n.el_owned_pct)} by Entity List owners`;
    return "not listed";
  };
  let svg = `<defs><marker id="own-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#7b8494"/></marker></defs>`;
  for (const { e, a, b, via } of links) {
    const pts = [[pos[a].x + NW / 2, pos[a].y + NH]];
    for (const w of via) pts.push([w.cx, w.y], [w.cx, w.y + NH]);
    pts.push([pos[b].x + NW / 2, pos[b].y - 2]);
    let d = `M${pts[0][0]},${pts[0][1]}`;
    for (let k = 1; k < pts.length; k++) {
      const [x0, y0] = pts[k - 1], [x1, y1] = pts[k];
      d += x0 === x1 ? ` L${x1},${y1}` : ` C${x0},${(y0 + y1) / 2} ${x1},${(y0 + y1) / 2} ${x1},${y1}`;
    }
    const [lx0, ly0] = pts[pts.length - 2], [lx1, ly1] = pts[pts.length - 1];
    svg += `<g class="own-link" data-owner="${esc(e.owner)}" data-owned="${esc(e.owned)}" data-pct="${esc(e.pct)}">`
      + `<path class="own-edge${nodes[a].blocked ? " from-blocked" : ""}" d="${d}" marker-end="url(#own-arrow)"/>`
      + `<text class="edge-label" x="${(lx0 + lx1) / 2 + 6}" y="${(ly0 + ly1) / 2 + 4}">${esc(pct(e.pct))}</text></g>`;
  }
  nodes.forEach((n, i) => {
    const { x, y } = pos[i];
    const listed = (n.listed || []).map((l) => `${l.regime}: ${l.caption} (${l.entity_id}, ${l.list_version})${l.in_force ? "" : " — listing on the date uncertain"}`).join("\n");
    const tip = [n.name, n.role ? `party: ${n.role}` : "", listed, n.chain && n.chain.length ? `chain: ${n.chain.join(" → ")}` : ""].filter(Boolean).join("\n");
    svg += `<g class="own-node${n.blocked ? " blocked" : ""}${n.role ? " party" : ""}" data-name="${esc(n.name)}" data-blocked="${n.blocked}" data-pct="${esc(n.blocked_owned_pct)}" data-el-pct="${esc(n.el_owned_pct)}">`
      + `<title>${esc(tip)}</title><rect x="${x}" y="${y}" width="${NW}" height="${NH}" rx="4"/>`
      + `<text x="${x + 8}" y="${y + 19}">${esc(short(n.name, 30))}</text>`
      + `<text class="sub" x="${x + 8}" y="${y + 37}">${esc(short(status(n), 36))}</text>`
      + (n.role ? `<text class="sub" x="${x + NW - 8}" y="${y + 19}" text-anchor="end">${esc(n.role)}</text>` : "")
      + `</g>`;
  });
  box.hidden = false;
  box.innerHTML = `<h3>Ownership</h3><div class="muted">Stated holdings, owner above owned. <span class="outcome-bad">Red</span>: blocked (an SDN, or owned 50% or more in aggregate by blocked persons); each node shows the share blocked owners hold in it. Hover a node for its list entries and chain.</div>
    <svg id="ownership-svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Ownership graph">${svg}</svg>`;
}
// ---------- filing reports (PDF) ----------
// "Download report" under a screen's or a decision's result: posts the
// same request to /v1/report/{screen,decide}, which performs the act again
// (its own audit record, named in the PDF) and answers with the PDF.
function showReportButton(kind, body) {
  const anchor = $(kind === "screen" ? "#screen-status" : "#decide-status");
  let btn = $(`#${kind}-report-btn`);
  if (!btn) {
    btn = document.createElement("button");
    btn.type = "button";
    btn.id = `${kind}-report-btn`;
    btn.className = "ghost";
    btn.textContent = "Download report (PDF)";
    btn.addEventListener("click", () => downloadReport(kind, btn));
    anchor.insertAdjacentElement("afterend", btn);
  }
  btn.reportBody = body;
  btn.hidden = false;
}

async function downloadReport(kind, btn) {
  const status = $(kind === "screen" ? "#screen-status" : "#decide-status");
  const headers = { Accept: "application/pdf", "Content-Type": "application/json" };
  if (apiKey()) headers["X-API-Key"] = apiKey();
  btn.disabled = true;
  try {
    const res = await fetch(`/v1/report/${kind}`, { method: "POST", headers, body: JSON.stringify(btn.reportBody) });
    if (!res.ok) {
      let msg = `HTTP ${res.status}`;
      try { const d = await res.json(); if (d.error) msg = `${d.error.message} (${d.error.code})`; } catch (_) { /* not JSON */ }
      throw new Error(msg);
    }
    const blob = await res.blob();
    const seq = res.headers.get("x-embargo-audit-seq") || "";
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `embargo-${kind === "screen" ? "screen" : "decision"}-${seq}.pdf`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    btn.title = `Report of audit record #${seq}`;
  } catch (e) {
    setStatus(status, `Report failed: ${e.message}`, true);
  } finally {
    btn.disabled = false;
  }
}
