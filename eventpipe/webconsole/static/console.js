// The eventpipe console: polls the JSON endpoints of the server that served it.
// Every request sends the token of the page's own address; all text is set with
// textContent (never parsed as HTML), except the graph's SVG, which the server drew.
"use strict";

const TOKEN = new URLSearchParams(location.search).get("token") || "";
const FEED_MS = 1000;
const STATUS_MS = 2000;
let lastSeq = 0;
let dlq = null; // {consumer, intake}

async function api(path, method = "GET") {
  const response = await fetch(path, { method, headers: { "X-Eventpipe-Token": TOKEN } });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) tr.append(cell instanceof Node ? cell : el("td", cell ?? "–"));
  return tr;
}

function cellWith(node) {
  const td = document.createElement("td");
  td.append(node);
  return td;
}

function connected(ok, text) {
  const node = document.getElementById("connection");
  node.textContent = text;
  node.className = ok ? "muted" : "error";
}

// --- confirmation -----------------------------------------------------------------
function confirmAction(text) {
  const box = document.getElementById("confirm");
  document.getElementById("confirm-text").textContent = text;
  box.hidden = false;
  return new Promise((resolve) => {
    const done = (answer) => {
      box.hidden = true;
      yes.onclick = no.onclick = null;
      resolve(answer);
    };
    const yes = document.getElementById("confirm-yes");
    const no = document.getElementById("confirm-no");
    yes.onclick = () => done(true);
    no.onclick = () => done(false);
  });
}

// --- consumers --------------------------------------------------------------------
function breakerText(breaker) {
  return breaker ? breaker.state : "–";
}

async function refreshStatus() {
  let data;
  try {
    data = await api("/api/status");
  } catch (error) {
    connected(false, `status: ${error.message}`);
    return;
  }
  connected(true, `updated ${new Date().toLocaleTimeString()}`);
  document.getElementById("stack").textContent = `stack ${data.stack}`;
  const body = document.querySelector("#consumers tbody");
  body.replaceChildren();
  for (const c of data.consumers) {
    const button = el("button", "DLQ");
    button.type = "button";
    button.dataset.consumer = c.consumer;
    button.onclick = () => openDlq(c.consumer, false);
    const tr = row([
      c.consumer,
      c.visible,
      c.inFlight,
      cellWith(el("span", c.dlqDepth, c.dlqDepth ? "dead-letter" : "")),
      cellWith(el("span", c.alarmState, c.alarmState)),
      breakerText(c.breaker),
      c.paused ? "paused" : c.mappingState || "–",
      cellWith(button),
    ]);
    tr.dataset.consumer = c.consumer;
    tr.querySelectorAll("td")[3].classList.add("dlq-depth");
    body.append(tr);
    if (c.hasIntake) {
      const intake = el("button", "intake DLQ");
      intake.type = "button";
      intake.onclick = () => openDlq(c.consumer, true);
      const sub = row([`  ${c.consumer} (intake)`, c.intakeVisible, c.intakeInFlight,
        c.intakeDlqDepth, "", "", "", cellWith(intake)]);
      sub.className = "muted";
      body.append(sub);
    }
  }
  const delivery = data.deliveryDlqDepth;
  document.getElementById("delivery-dlq").textContent =
    delivery === null ? "" : `delivery DLQ (events the bus could not deliver): ${delivery}`;
}

// --- feed -------------------------------------------------------------------------
async function refreshFeed() {
  let data;
  try {
    data = await api(`/api/feed?after=${lastSeq}`);
  } catch (error) {
    connected(false, `feed: ${error.message}`);
    return;
  }
  const body = document.querySelector("#feed tbody");
  for (const entry of data.entries) {
    lastSeq = Math.max(lastSeq, entry.seq);
    const tr = row([
      entry.time.slice(11, 23),
      entry.consumer,
      entry.label,
      cellWith(el("span", entry.outcome, entry.outcome)),
      entry.attempt,
      entry.detail,
    ]);
    tr.dataset.seq = entry.seq;
    tr.dataset.consumer = entry.consumer;
    tr.dataset.outcome = entry.outcome;
    if (entry.eventId) {
      tr.dataset.eventId = entry.eventId;
      tr.className = "event";
      tr.onclick = () => showTrace(entry.eventId);
    }
    body.prepend(tr);
  }
}

// --- trace ------------------------------------------------------------------------
function attemptsTable(attempts) {
  const table = el("table");
  table.append(row(["time", "receive", "outcome", "ms", "error"].map((h) => el("th", h))));
  for (const a of attempts) {
    table.append(row([a.time, a.receiveCount, cellWith(el("span", a.outcome, a.outcome)),
      a.durationMs, a.errorType ? `${a.errorType}: ${a.errorMessage || ""}` : ""]));
  }
  return table;
}

async function showTrace(eventId) {
  const section = document.getElementById("trace-section");
  const box = document.getElementById("trace");
  document.getElementById("trace-id").textContent = eventId;
  section.hidden = false;
  section.dataset.eventId = eventId;
  section.dataset.loaded = "false";
  box.replaceChildren(el("p", "loading…", "muted"));
  let data;
  try {
    data = await api(`/api/trace/${encodeURIComponent(eventId)}`);
  } catch (error) {
    box.replaceChildren(el("p", error.message, "error"));
    return;
  }
  if (section.dataset.eventId !== eventId) return; // another click came first
  box.replaceChildren();
  box.append(el("h3", "What the engine recorded"));
  const engine = el("table");
  engine.id = "trace-engine";
  engine.append(row(["time", "consumer", "outcome", "attempt", "detail"].map((h) => el("th", h))));
  for (const e of data.engine) {
    const tr = row([e.time.slice(11, 23), e.consumer, cellWith(el("span", e.outcome, e.outcome)),
      e.attempt, e.detail]);
    tr.dataset.consumer = e.consumer;
    tr.dataset.outcome = e.outcome;
    engine.append(tr);
  }
  box.append(engine);
  if (data.trace) {
    const t = data.trace;
    box.append(el("h3", `eventpipe trace: ${t.state}`), el("p", t.summary));
    for (const c of t.consumers) {
      const part = el("div");
      part.className = "trace-consumer";
      part.dataset.consumer = c.consumer;
      part.dataset.matched = String(c.matched);
      part.dataset.ending = c.ending.state;
      const matched = c.matched === true ? "matched" : c.matched === false ? `not matched: ${c.reason || ""}` : `unknown: ${c.reason || ""}`;
      part.append(el("h4", `${c.consumer} (${c.source}) – ${matched}`));
      if (c.pipe) part.append(el("p", `${c.pipe.intakeQueue} → pipe ${c.pipe.pipe} → ${c.pipe.fifoQueue}`, "muted"));
      if (c.attempts.length) part.append(attemptsTable(c.attempts));
      part.append(el("p", `ended: ${c.ending.state} – ${c.ending.detail}`, c.ending.state));
      box.append(part);
    }
    if (t.event) box.append(el("pre", JSON.stringify(t.event, null, 2)));
  } else if (data.traceError) {
    box.append(el("p", data.traceError, "muted"));
  }
  section.dataset.loaded = "true";
  section.scrollIntoView();
}

// --- DLQ browser ------------------------------------------------------------------
function dlqLabel() {
  return `${dlq.intake ? "intake DLQ" : "DLQ"} of ${dlq.consumer}`;
}

async function openDlq(consumer, intake) {
  dlq = { consumer, intake };
  const section = document.getElementById("dlq-section");
  section.hidden = false;
  section.dataset.consumer = consumer;
  document.getElementById("dlq-title").textContent = `The ${dlqLabel()}`;
  document.getElementById("dlq-result").textContent = "Peek shows its messages (each is received once, then made visible again).";
  document.querySelector("#dlq-messages tbody").replaceChildren();
}

function dlqPath(action) {
  const base = `/api/dlq/${encodeURIComponent(dlq.consumer)}${action ? "/" + action : ""}`;
  return dlq.intake ? `${base}?intake=1` : base;
}

async function act(question, run) {
  if (!dlq || !(await confirmAction(question))) return;
  const result = document.getElementById("dlq-result");
  result.textContent = "working…";
  try {
    result.textContent = await run();
  } catch (error) {
    result.textContent = error.message;
  }
  refreshStatus();
}

async function peekDlq() {
  const data = await api(dlqPath(""));
  const body = document.querySelector("#dlq-messages tbody");
  body.replaceChildren();
  for (const m of data.messages) {
    const tr = row([m.messageId, m.sentAt, m.receiveCount, m.summary]);
    tr.dataset.messageId = m.messageId;
    body.append(tr);
  }
  return `${data.shown} of ${data.depth} message(s) shown` + (data.notShown ? `; ${data.notShown} not shown` : "");
}

function setUp() {
  document.getElementById("trace-close").onclick = () => { document.getElementById("trace-section").hidden = true; };
  document.getElementById("dlq-close").onclick = () => { document.getElementById("dlq-section").hidden = true; dlq = null; };
  document.getElementById("dlq-peek").onclick = () => act(
    `Peek at the ${dlqLabel()}? Each message shown is received once (its receive count goes up by one).`,
    peekDlq);
  document.getElementById("dlq-redrive").onclick = () => act(
    `Move every message of the ${dlqLabel()} back to be processed again?`,
    async () => {
      const r = await api(dlqPath("redrive"), "POST");
      return r.status === "EMPTY" ? "empty: nothing to redrive" : `redrive started: ${r.toMove} message(s) to move (task ${r.taskHandle})`;
    });
  document.getElementById("dlq-purge").onclick = () => act(
    `Delete every message of the ${dlqLabel()}? They cannot be recovered.`,
    async () => {
      const r = await api(dlqPath("purge"), "POST");
      document.querySelector("#dlq-messages tbody").replaceChildren();
      return `purged ${r.purged} message(s)`;
    });
}

// --- graph ------------------------------------------------------------------------
async function loadGraph() {
  const data = await api("/api/graph");
  const box = document.getElementById("graph");
  const select = document.getElementById("graph-page");
  const show = (index) => { box.innerHTML = data.pages[index].svg; };
  if (data.pages.length > 1) {
    data.pages.forEach((page, index) => select.append(new Option(page.caption, String(index))));
    select.hidden = false;
    select.onchange = () => show(Number(select.value));
  }
  show(0);
}

async function poll(run, ms) {
  await run();
  setTimeout(() => poll(run, ms), ms);
}

document.addEventListener("DOMContentLoaded", () => {
  setUp();
  loadGraph().catch((error) => connected(false, `graph: ${error.message}`));
  poll(refreshStatus, STATUS_MS);
  poll(refreshFeed, FEED_MS);
});
