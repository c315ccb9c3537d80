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
