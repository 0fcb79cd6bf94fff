// OpsAssistant operator page. No framework, no build step: the host serves this file as is.
// Everything that comes from a trace is untrusted text and is only ever inserted with textContent.
"use strict";

const TRACE_ID = /^\s*([0-9a-f]{32}|[0-9a-f]{16})\s*$/i;
const MAX_ROWS = 1500;
const state = { conversationId: null, trace: null, analysis: null, apiKey: sessionStorage.getItem("opsassistant.apiKey") };

const $ = (id) => document.getElementById(id);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
};

async function api(path, init = {}) {
  const headers = new Headers(init.headers || {});
  if (state.apiKey) headers.set("X-Api-Key", state.apiKey);
  const res = await fetch(path, { ...init, headers });
  if (res.status === 401) {
    const key = window.prompt("This OpsAssistant requires an API key:");
    if (key) {
      state.apiKey = key.trim();
      sessionStorage.setItem("opsassistant.apiKey", state.apiKey);
      return api(path, init);
    }
  }
  return res;
}

async function problemText(res) {
  try {
    const p = await res.json();
    const fields = p.errors ? Object.entries(p.errors).map(([k, v]) => `${k}: ${[].concat(v).join(" ")}`).join("; ") : "";
    return [p.title, p.detail, fields].filter(Boolean).join(" — ") || `HTTP ${res.status}`;
  } catch { return `HTTP ${res.status}`; }
}

function addMessage(role, text) {
  const m = el("div", `msg ${role}`);
  if (text) m.appendChild(el("div", "text", text));
  $("messages").appendChild(m);
  m.scrollIntoView({ block: "end" });
  return m;
}

// ---- Chat over Server-Sent Events (fetch + stream reader: EventSource cannot POST) ----
async function send(message) {
  addMessage("user", message);
  const reply = addMessage("assistant", "");
  const text = el("div", "text", "");
  reply.appendChild(text);
  $("send").disabled = true;
  try {
    const traceMatch = TRACE_ID.exec(message);
    const res = await api("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "text/event-stream" },
      body: JSON.stringify({ conversationId: state.conversationId, message, traceId: traceMatch ? traceMatch[1].toLowerCase() : null }),
    });
    if (!res.ok) { reply.classList.add("error"); text.textContent = await problemText(res); return; }
    if ((res.headers.get("content-type") || "").includes("text/event-stream")) {
      await readEvents(res, (event, data) => onEvent(event, data, reply, text));
    } else {
      const body = await res.json();
      state.conversationId = body.conversationId || state.conversationId;
      text.textContent = body.reply || "";
      if (body.analysis) await showAnalysis(body.analysis, reply);
    }
  } catch (err) {
    reply.classList.add("error");
    text.textContent = `Request failed: ${err.message}`;
  } finally {
    $("send").disabled = false;
    loadOverrides(); // a chat command may have changed sampling
  }
}

async function readEvents(res, handle) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      let parsed = data.join("\n");
      try { parsed = JSON.parse(parsed); } catch { /* plain text */ }
      await handle(event, parsed);
    }
  }
}

async function onEvent(event, data, reply, text) {
  switch (event) {
    case "delta": text.textContent += data.text ?? ""; break;
    case "tool": reply.appendChild(el("div", "meta", `tool ${data.name}: ${data.status ?? ""}`)); break;
    case "analysis": await showAnalysis(data, reply); break;
    case "done": state.conversationId = data.conversationId || state.conversationId; break;
    case "error": reply.classList.add("error"); text.textContent += (text.textContent ? "\n" : "") + (data.detail || data.title || "error"); break;
    default: break;
  }
  reply.scrollIntoView({ block: "end" });
}

// ---- Hypotheses ----
async function showAnalysis(result, container) {
  state.analysis = result;
  const pill = $("engine");
  pill.textContent = result.engine === "llm" ? `LLM · ${result.model ?? ""}` : "heuristic";
  pill.classList.toggle("llm", result.engine === "llm");
  // The summary arrives as the reply text itself; only the structured parts are added here.
  if (result.degraded) container.appendChild(el("div", "degraded", `LLM not used: ${result.degraded}`));
  for (const h of result.hypotheses || []) container.appendChild(hypothesisCard(h));
  container.appendChild(el("div", "meta", `trace ${result.traceId} · ${Math.round(result.elapsedMs ?? 0)} ms · analysis ${result.analysisId}`));
  await loadTrace(result.traceId);
}

function hypothesisCard(h) {
  const card = el("div", "hyp");
  card.tabIndex = 0;
  card.dataset.spans = (h.spanIds || []).join(",");
  const title = el("h3");
  title.append(el("span", "rank", `#${h.rank}`), el("span", "", h.title), el("span", "cat", h.category));
  const conf = el("div", "conf");
  const fill = el("span");
  fill.style.width = `${Math.round((h.confidence ?? 0) * 100)}%`;
  conf.title = `confidence ${(h.confidence ?? 0).toFixed(2)}`;
  conf.appendChild(fill);
  card.append(title, conf, el("div", "where", `${h.service ?? "?"} / ${h.operation ?? "?"}  ·  confidence ${(h.confidence ?? 0).toFixed(2)}`));
  if (h.evidence?.length) {
    const ul = el("ul");
    for (const e of h.evidence) ul.appendChild(el("li", "", e));
    card.appendChild(ul);
  }
  if (h.remediation) card.appendChild(el("div", "fix", h.remediation));
  const focus = () => {
    document.querySelectorAll(".hyp.active").forEach((c) => c.classList.remove("active"));
    card.classList.add("active");
    focusSpans(h.spanIds || []);
  };
  card.addEventListener("click", focus);
  card.addEventListener("keydown", (e) => { if (e.key === "Enter") focus(); });
  return card;
}

// ---- Waterfall ----
async function loadTrace(traceId) {
  const res = await api(`/api/traces/${encodeURIComponent(traceId)}?redact=true`);
  if (!res.ok) {
    $("waterfall").replaceChildren(el("p", "note", `Trace not shown: ${await problemText(res)}`));
    return;
  }
  state.trace = parseOtlp(await res.json());
  state.baselines = await loadBaselines(state.trace);
  renderWaterfall();
}

// ---- Baselines: what normal looks like per operation (GET /api/baselines), drawn as a p50–p99 band on each row ----
const MAX_BASELINE_SERVICES = 40;
const KIND_NAMES = ["unspecified", "internal", "server", "client", "producer", "consumer"];
const ABOVE_P99 = 1.2; // the analysis's own threshold for "above-p99"

function kindName(kind) {
  if (typeof kind === "number") return KIND_NAMES[kind] ?? "unspecified";
  const name = String(kind ?? "").toLowerCase().replace(/^span_kind_/, "");
  return KIND_NAMES.includes(name) ? name : "unspecified";
}

// One request per service of the trace (all its operations): a service with baselines also tells which operations are new.
// Asked as of the trace's start, the window its analysis was judged against (the history before it, not its own spans).
async function loadBaselines(spans) {
  const services = [...new Set(spans.map((s) => s.service))].slice(0, MAX_BASELINE_SERVICES);
  const startNs = spans.reduce((m, s) => (s.start < m ? s.start : m), spans[0]?.start ?? 0n);
  const at = startNs > 0n ? `&at=${encodeURIComponent(new Date(Number(startNs / 1000000n)).toISOString())}` : "";
  const known = new Set();
  const exact = new Map();
  const anyKind = new Map();
  await Promise.all(services.map(async (service) => {
    try {
      const res = await api(`/api/baselines?service=${encodeURIComponent(service)}${at}`);
      if (!res.ok) return;
      const body = await res.json();
      for (const b of body.operations || []) {
        const name = `${b.service}\u0000${b.operation}`.toLowerCase();
        known.add(String(b.service).toLowerCase());
        exact.set(`${name}\u0000${b.kind}`, b);
        if (!anyKind.has(name) || anyKind.get(name).count < b.count) anyKind.set(name, b);
      }
    } catch { /* the waterfall works without baselines */ }
  }));
  return { known, exact, anyKind };
}

// The same matching as the analysis: exact kind first; a span without a real kind takes the operation's busiest kind.
function baselineOf(s) {
  const b = state.baselines;
  if (!b) return null;
  const name = `${s.service}\u0000${s.name}`.toLowerCase();
  const kind = kindName(s.kind);
  return b.exact.get(`${name}\u0000${kind}`) ?? ((kind === "unspecified" || kind === "internal") ? b.anyKind.get(name) ?? null : null);
}

function formatMs(ms) {
  if (ms >= 1000) return `${Number((ms / 1000).toPrecision(3))} s`;
  return `${Number(ms.toPrecision(ms < 1 ? 2 : 3))} ms`;
}

function baselineTip(b) {
  const hours = (new Date(b.to) - new Date(b.from)) / 3.6e6;
  const window = Number.isFinite(hours) && hours > 0 ? ` over ${hours >= 1 ? `${Number(hours.toFixed(1))} h` : `${Math.round(hours * 60)} min`}` : "";
  return `p50 ${formatMs(b.p50Ms)} · p99 ${formatMs(b.p99Ms)} · n = ${Number(b.count).toLocaleString("en-US")}${window}`;
}

function parseOtlp(doc) {
  const spans = [];
  for (const rs of doc.resourceSpans || doc.batches || []) {
    const svcAttr = (rs.resource?.attributes || []).find((a) => a.key === "service.name");
    const service = svcAttr ? Object.values(svcAttr.value || {})[0] : "unknown_service";
    for (const ss of rs.scopeSpans || rs.instrumentationLibrarySpans || []) {
      for (const s of ss.spans || []) {
        spans.push({
          id: s.spanId, parent: s.parentSpanId || null, name: s.name, service,
          start: BigInt(s.startTimeUnixNano || 0), end: BigInt(s.endTimeUnixNano || 0),
          error: s.status?.code === 2 || s.status?.code === "STATUS_CODE_ERROR",
          status: s.status, attributes: s.attributes || [], events: s.events || [], kind: s.kind,
        });
      }
    }
  }
  return spans;
}

function renderWaterfall() {
  const spans = state.trace || [];
  const box = $("waterfall");
  box.replaceChildren();
  if (!spans.length) { box.appendChild(el("p", "empty", "The trace has no spans.")); return; }
  const byId = new Map(spans.map((s) => [s.id, s]));
  const children = new Map();
  const roots = [];
  for (const s of spans) {
    if (s.parent && byId.has(s.parent) && s.parent !== s.id) {
      if (!children.has(s.parent)) children.set(s.parent, []);
      children.get(s.parent).push(s);
    } else roots.push(s);
  }
  const t0 = spans.reduce((m, s) => (s.start < m ? s.start : m), spans[0].start);
  const t1 = spans.reduce((m, s) => (s.end > m ? s.end : m), spans[0].end);
  const total = Number(t1 - t0) || 1;
  const critical = new Set(state.analysis?.criticalPath || []);
  // Each hypothesis's primary span (its first citation) is a suspect; the other cited spans are evidence.
  const suspects = new Set((state.analysis?.hypotheses || []).filter((h) => h.category !== "unknown").map((h) => (h.spanIds || [])[0]).filter(Boolean));
  const cited = new Set((state.analysis?.hypotheses || []).flatMap((h) => h.spanIds || []));
  $("trace-title").textContent = `Waterfall · ${spans.length} spans · ${(total / 1e6).toFixed(1)} ms`;

  // Large traces: keep what matters (suspects, errors, the critical path, their ancestors) within MAX_ROWS, in that order
  // of importance; a trace whose every span is on the critical path still shows MAX_ROWS rows, never all of them.
  let keep = null;
  if (spans.length > MAX_ROWS) {
    keep = new Set();
    const addWithAncestors = (id) => {
      for (let s = byId.get(id), guard = 0; s && !keep.has(s.id) && guard < 10000 && keep.size < MAX_ROWS; s = byId.get(s.parent), guard++) keep.add(s.id);
    };
    suspects.forEach(addWithAncestors);
    spans.filter((s) => s.error).slice(0, 200).forEach((s) => addWithAncestors(s.id));
    critical.forEach(addWithAncestors);
    for (const s of spans) { if (keep.size >= MAX_ROWS) break; keep.add(s.id); }
  }

  const frag = document.createDocumentFragment();
  const stack = roots.sort((a, b) => (a.start < b.start ? 1 : -1)).map((s) => [s, 0]);
  const seen = new Set();
  let shown = 0;
  while (stack.length) {
    const [s, depth] = stack.pop();
    if (seen.has(s.id)) continue;
    seen.add(s.id);
    const kids = (children.get(s.id) || []).slice().sort((a, b) => (a.start < b.start ? 1 : -1));
    for (const k of kids) stack.push([k, depth + 1]);
    if (keep && !keep.has(s.id)) continue;
    if (shown >= MAX_ROWS) break;
    const row = spanRow(s, depth, t0, total, critical.has(s.id), suspects.has(s.id));
    if (cited.has(s.id) && !suspects.has(s.id)) row.classList.add("cited");
    frag.appendChild(row);
    shown++;
  }
  box.appendChild(frag);
  if (shown < spans.length) box.appendChild(el("p", "note", `${spans.length - shown} spans hidden (showing the critical path, suspects, errors and their ancestors first).`));
  const first = box.querySelector(".row.suspect");
  if (first) first.scrollIntoView({ block: "nearest" });
}

function spanRow(s, depth, t0, total, isCritical, isSuspect) {
  const row = el("div", "row");
  row.dataset.span = s.id;
  if (isCritical) row.classList.add("critical");
  if (s.error) row.classList.add("error");
  if (isSuspect) row.classList.add("suspect");
  const label = el("div", "label");
  label.style.paddingLeft = `${8 + Math.min(depth, 30) * 10}px`;
  label.append(el("span", "svc", `${s.service} `), el("span", "op", s.name));
  label.title = `${s.service} / ${s.name} [${s.id}]`;
  const lane = el("div", "lane");
  const bar = el("div", "bar");
  const left = (Number(s.start - t0) / total) * 100;
  const width = Math.max((Number(s.end - s.start) / total) * 100, 0.2);
  bar.style.left = `${left}%`;
  bar.style.width = `${width}%`;
  const dur = el("span", "dur", `${(Number(s.end - s.start) / 1e6).toFixed(1)} ms`);
  dur.style.left = `${Math.min(left + width + 0.5, 92)}%`;
  const baseline = baselineOf(s);
  if (baseline) {
    // The band sits where the span would end at its p50 and at its p99, on the same scale as its bar.
    const startMs = Number(s.start - t0) / 1e6;
    const totalMs = total / 1e6;
    const bandLeft = ((startMs + baseline.p50Ms) / totalMs) * 100;
    const bandRight = Math.min(((startMs + baseline.p99Ms) / totalMs) * 100, 100);
    const band = el("div", "band");
    band.style.left = `${Math.min(bandLeft, 100)}%`;
    band.style.width = `${Math.max(bandRight - bandLeft, 0)}%`;
    band.title = baselineTip(baseline);
    lane.append(band);
    row.dataset.baseline = baselineTip(baseline);
    const ms = Number(s.end - s.start) / 1e6;
    if (baseline.p99Ms > 0 && ms > ABOVE_P99 * baseline.p99Ms) {
      row.classList.add("above-p99");
      label.append(el("span", "mark", `${Number((ms / baseline.p99Ms).toPrecision(2))}× p99`));
    }
  } else if (state.baselines?.known.has(String(s.service).toLowerCase())) {
    row.classList.add("new-op");
    const mark = el("span", "mark", "new");
    mark.title = `No baseline for this operation: ${s.service} has not run it in the baseline window.`;
    label.append(mark);
  }
  lane.append(bar, dur);
  row.append(label, lane);
  row.addEventListener("click", () => showSpan(s));
  return row;
}

function focusSpans(ids) {
  document.querySelectorAll(".row.focus").forEach((r) => r.classList.remove("focus"));
  let first = null;
  for (const id of ids) {
    const row = document.querySelector(`.row[data-span="${CSS.escape(id)}"]`);
    if (row) { row.classList.add("focus"); first = first || row; }
  }
  if (first) { first.scrollIntoView({ block: "center" }); showSpan(state.trace.find((s) => s.id === ids[0])); }
}

function showSpan(s) {
  if (!s) return;
  const box = $("span-detail");
  const attrs = s.attributes.map((a) => `  ${a.key} = ${JSON.stringify(Object.values(a.value || {})[0])}`).join("\n");
  const events = s.events.map((e) => `  ${e.name} ${(e.attributes || []).map((a) => `${a.key}=${JSON.stringify(Object.values(a.value || {})[0])}`).join(" ")}`).join("\n");
  box.textContent = `${s.service} / ${s.name}\nspan ${s.id}  parent ${s.parent ?? "-"}\n` +
    `duration ${(Number(s.end - s.start) / 1e6).toFixed(2)} ms  status ${s.error ? "ERROR" : "ok"} ${s.status?.message ?? ""}\n` +
    (attrs ? `attributes:\n${attrs}\n` : "") + (events ? `events:\n${events}\n` : "");
  box.hidden = false;
}

// ---- Start-up ----
async function loadRecent() {
  try {
    const res = await api("/api/traces?limit=8");
    if (!res.ok) return;
    const rows = await res.json();
    const list = Array.isArray(rows) ? rows : rows.traces || [];
    const box = $("recent");
    for (const t of list) {
      const chip = el("button", "chip", `${t.traceId.slice(0, 12)}… ${t.rootService}${t.errorCount ? " ⚠" : ""}`);
      chip.type = "button";
      chip.title = `${t.rootService} / ${t.rootOperation} · ${Math.round(t.durationMs)} ms · ${t.spanCount} spans`;
      chip.dataset.traceId = t.traceId;
      chip.addEventListener("click", () => { $("input").value = t.traceId; $("ask").requestSubmit(); });
      box.appendChild(chip);
    }
  } catch { /* the page works without the list */ }
}

// ---- Sampling overrides: what is sampled above its routine rate now, with an Undo each ----
const OVERRIDE_REFRESH_MS = 15000;

async function loadOverrides() {
  try {
    const res = await api("/api/sampling/overrides?active=true&limit=50");
    if (res.ok) renderOverrides(await res.json());
  } catch { /* the page works without the panel */ }
}

function renderOverrides(rows) {
  const list = $("overrides");
  list.replaceChildren();
  $("sampling-count").textContent = String(rows.length);
  if (rows.length === 0) {
    list.appendChild(el("li", "none", "None: every service is sampled at its routine rate."));
    return;
  }
  for (const o of rows) {
    const item = el("li", "override");
    item.dataset.id = o.id;
    item.appendChild(el("span", "svc", o.service));
    item.appendChild(el("span", "rate", `${Number((o.rate * 100).toFixed(3))}%`));
    item.appendChild(el("span", "until", `until ${new Date(o.expiresAt).toLocaleTimeString()}`));
    const by = el("span", "by", o.createdBy);
    if (o.reason) by.title = o.reason;
    item.appendChild(by);
    const undo = el("button", "undo", "Undo");
    undo.type = "button";
    undo.title = `End override ${o.id} now`;
    undo.addEventListener("click", () => undoOverride(o.id, undo));
    item.appendChild(undo);
    list.appendChild(item);
  }
}

async function undoOverride(id, button) {
  button.disabled = true;
  const res = await api(`/api/sampling/overrides/${encodeURIComponent(id)}`, { method: "DELETE" });
  if (!res.ok && res.status !== 409) addMessage("assistant error", await problemText(res));
  await loadOverrides();
}

$("ask").addEventListener("submit", (e) => {
  e.preventDefault();
  const message = $("input").value.trim();
  if (!message) return;
  $("input").value = "";
  send(message);
});
// ---- Deep links: /?traceId=<id> (and /traces/<id>, which redirects here) analyses at once; /?analysisId=<id> opens a
// stored analysis (what notifications link to) without analysing again. ----
async function openAnalysis(id) {
  const reply = addMessage("assistant", "");
  const res = await api(`/api/analyses/${encodeURIComponent(id)}`);
  if (!res.ok) { reply.classList.add("error"); reply.appendChild(el("div", "text", await problemText(res))); return; }
  const record = await res.json();
  if (record.status !== "done" || !record.hypotheses) {
    reply.appendChild(el("div", "text", `Analysis ${record.analysisId} of trace ${record.traceId} is ${record.status}${record.error ? `: ${record.error}` : "."}`));
    if (record.traceId) await loadTrace(record.traceId);
    return;
  }
  reply.appendChild(el("div", "text", record.summary || ""));
  await showAnalysis(record, reply);
}

function openDeepLink() {
  const params = new URLSearchParams(window.location.search);
  const traceId = params.get("traceId") ?? params.get("traceID") ?? params.get("trace_id");
  const analysisId = params.get("analysisId");
  if (analysisId) {
    openAnalysis(analysisId);
  } else if (traceId !== null) {
    if (TRACE_ID.test(traceId)) send(traceId.trim().toLowerCase());
    else addMessage("assistant error", `The link's trace ID '${traceId.slice(0, 80)}' is not 16 or 32 hexadecimal characters.`);
  }
}

$("engine").textContent = "ready";
openDeepLink();
loadRecent();
loadOverrides();
setInterval(loadOverrides, OVERRIDE_REFRESH_MS);
