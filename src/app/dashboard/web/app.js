// The minitorch dashboard: a single page over the dashboard's JSON API (/api/...).
// Plain modern JavaScript, no framework and no build step; uPlot draws every chart.
// Data from run directories is untrusted: it reaches the page through textContent and
// attributes only, never innerHTML. Charts are exposed as window.__charts[name] for the tests.
"use strict";

const POLL_MS = 500;
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

window.__charts = {};

// ---- the page's state: what the current route owns and must release when it leaves ----------
const page = { generation: 0, timers: [], charts: [] };

function leavePage() {
  page.generation += 1;
  for (const timer of page.timers) clearTimeout(timer);
  page.timers = [];
  for (const chart of page.charts) chart.destroy();
  page.charts = [];
  window.__charts = {};
}

// A callback that does nothing once the route has changed (a late answer of the last page).
function whileCurrent(callback) {
  const generation = page.generation;
  return (...args) => (generation === page.generation ? callback(...args) : undefined);
}

// ---- DOM helpers -------------------------------------------------------------------------------
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function section(title, testid, ...children) {
  return el("section", { class: "card", "data-testid": testid }, el("h2", { text: title }), ...children);
}

function formatValue(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (Number.isInteger(value)) return String(value);
    const magnitude = Math.abs(value);
    if (magnitude !== 0 && (magnitude < 1e-4 || magnitude >= 1e6)) return value.toExponential(3);
    return String(Number(value.toPrecision(4)));
  }
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function keyValueTable(object, testid) {
  const rows = Object.entries(object || {}).map(([key, value]) =>
    el("tr", { "data-key": key }, el("th", { text: key }), el("td", { text: formatValue(value) })));
  return el("table", { class: "kv", "data-testid": testid }, el("tbody", {}, rows));
}

function runLink(id, route = "run") {
  return el("a", { href: `#/${route}?run=${encodeURIComponent(id)}`, text: id });
}

// ---- errors: every failure is shown in the page ------------------------------------------------
function showError(message) {
  const banner = document.getElementById("error");
  banner.hidden = false;
  banner.append(el("div", { class: "error-line", text: message }));
}

function clearErrors() {
  const banner = document.getElementById("error");
  banner.hidden = true;
  banner.replaceChildren();
}

function errorBox(error) {
  return el("p", { class: "error", "data-testid": "section-error", text: String(error.message || error) });
}

window.addEventListener("error", (event) => showError(`script error: ${event.message}`));
window.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  showError(`unexpected error: ${event.reason && event.reason.message ? event.reason.message : event.reason}`);
});

// ---- the API -----------------------------------------------------------------------------------
class ApiError extends Error {}

async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {
    throw new ApiError(`${path}: the dashboard server did not answer (${error.message})`);
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (error) {
    throw new ApiError(`${path}: HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`);
  }
  if (!response.ok) {
    const reason = body && typeof body.error === "string" ? body.error : text.slice(0, 200);
    throw new ApiError(`${path}: HTTP ${response.status}: ${reason}`);
  }
  return body;
}

const runQuery = (id) => `run=${encodeURIComponent(id)}`;

// Fills `container` with what `render` makes of the answer of `path`, or with the error.
async function loadInto(container, path, render) {
  const loading = el("p", { class: "muted", text: "loading…" });
  container.replaceChildren(loading);
  try {
    const body = await api(path);
    if (!container.isConnected) return;
    container.replaceChildren(...[render(body)].flat());
  } catch (error) {
    container.replaceChildren(errorBox(error));
  }
}

// ---- charts (uPlot) ----------------------------------------------------------------------------
function chartBox(name, title) {
  return el("div", { class: "chart", "data-testid": `chart-${name}`, id: `chart-${name}` },
            el("h3", { text: title }));
}

function chartWidth(box) {
  return Math.max(300, Math.min(560, (box.parentElement ? box.parentElement.clientWidth : 600) - 24));
}

// Draws a chart into `box` (already in the document) and registers it for the tests.
function makeChart(box, name, options, data) {
  const chart = new uPlot({ width: chartWidth(box), height: 240, ...options }, data, box);
  page.charts.push(chart);
  window.__charts[name] = chart;
  return chart;
}

function lineSeries(label, index, extra = {}) {
  return { label, stroke: COLORS[index % COLORS.length], width: 2, spanGaps: true, points: { show: true, size: 7 }, ...extra };
}

function barsOptions(labels, seriesLabel, color = COLORS[0]) {
  return {
    scales: { x: { time: false, range: [-0.5, labels.length - 0.5] } },
    axes: [{ values: (u, ticks) => ticks.map((t) => (Number.isInteger(t) && labels[t] !== undefined ? labels[t] : "")),
             splits: () => labels.map((_, i) => i) }, {}],
    series: [{ label: "class", value: (u, v) => (v === null || labels[v] === undefined ? "" : labels[v]) },
             { label: seriesLabel, fill: color + "99", stroke: color,
               paths: uPlot.paths.bars({ size: [0.7, 80] }), points: { show: false } }],
  };
}

function barChart(box, name, labels, values, seriesLabel) {
  return makeChart(box, name, barsOptions(labels, seriesLabel), [labels.map((_, i) => i), values]);
}

// Points of several classes in one x-sorted table, one series per class with gaps elsewhere.
function scatterData(points, classCount) {
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  const data = [sorted.map((p) => p[0])];
  for (let c = 0; c < classCount; c += 1) data.push(sorted.map((p) => (p[2] === c ? p[1] : null)));
  return data;
}

// A linear range with a margin, so that points at the extremes are not cut by the frame.
function paddedRange(u, min, max) {
  const margin = (max - min) * 0.06 || Math.abs(min) * 0.1 || 1;
  return [min - margin, max + margin];
}

function scatterOptions(seriesLabels, xLabel, yLabel) {
  return {
    scales: { x: { time: false, range: paddedRange }, y: { range: paddedRange } },
    axes: [{ label: xLabel }, { label: yLabel }],
    series: [{ label: xLabel }, ...seriesLabels.map((label, i) => ({
      label, stroke: COLORS[i % COLORS.length], fill: COLORS[i % COLORS.length],
      paths: () => null, points: { show: true, size: 7, fill: COLORS[i % COLORS.length] } }))],
  };
}

// ---- metric curves -----------------------------------------------------------------------------
const CURVES = [
  { name: "loss", title: "Loss", keys: ["loss", "val_loss"] },
  { name: "accuracy", title: "Accuracy", keys: ["train_accuracy", "val_accuracy", "test_accuracy"] },
  { name: "lr", title: "Learning rate", keys: ["lr"] },
];

// Series of epoch records: {epochs: [...], key: [...]} for every key of CURVES present.
class EpochSeries {
  constructor() { this.epochs = []; this.values = {}; this.steps = []; this.stepLosses = []; }
  add(records) {
    for (const record of records) {
      if (record && record.kind === "step" && typeof record.step === "number" && typeof record.loss === "number") {
        this.steps.push(record.step);
        this.stepLosses.push(record.loss);
        continue;
      }
      // A record without "kind" is an epoch record, as the server reads metrics.jsonl.
      if (!record || (record.kind !== undefined && record.kind !== "epoch") || typeof record.epoch !== "number") continue;
      this.epochs.push(record.epoch);
      for (const curve of CURVES) {
        for (const key of curve.keys) {
          if (!(key in this.values) && typeof record[key] !== "number") continue;
          if (!(key in this.values)) this.values[key] = new Array(this.epochs.length - 1).fill(null);
          this.values[key].push(typeof record[key] === "number" ? record[key] : null);
        }
      }
      for (const key of Object.keys(this.values)) {
        if (this.values[key].length < this.epochs.length) this.values[key].push(null);
      }
    }
  }
  keysOf(curve) { return curve.keys.filter((key) => key in this.values); }
  dataOf(curve) { return [this.epochs, ...this.keysOf(curve).map((key) => this.values[key])]; }
}

function curveOptions(curve, keys) {
  return {
    scales: { x: { time: false } },
    axes: [{ label: "epoch" }, {}],
    series: [{ label: "epoch" }, ...keys.map((key, i) => lineSeries(key, i))],
  };
}

// Live curves of one run: polls /api/metrics?since=N while the run is training.
class LiveCurves {
  constructor(runId, container) {
    this.runId = runId;
    this.container = container;
    this.series = new EpochSeries();
    this.next = 0;
    this.charts = {};
    this.shape = {};
  }

  async poll() {
    let body;
    try {
      body = await api(`/api/metrics?${runQuery(this.runId)}&since=${this.next}`);
    } catch (error) {
      this.status(`could not read the metrics: ${error.message}`, true);
      return;
    }
    this.next = body.next;
    this.series.add(body.records || []);
    this.draw();
    const problems = (body.problems || []).join("; ");
    this.status((body.training ? `training… ${this.series.epochs.length} epochs so far` : `${this.series.epochs.length} epochs`)
                + (problems ? ` (${problems})` : ""), false);
    if (body.training) {
      this.wasTraining = true;
      page.timers.push(setTimeout(whileCurrent(() => this.poll()), POLL_MS));
    } else if (this.wasTraining) {
      this.wasTraining = false;
      this.showFinalStatus();
    }
  }

  // The run's writer is gone: its status badge says what it ended as (complete, stopped, ...).
  async showFinalStatus() {
    try {
      const run = await api(`/api/run?${runQuery(this.runId)}`);
      const badge = document.querySelector("main [data-testid=run-status]");
      if (badge && run.status) {
        badge.textContent = run.status;
        badge.className = `badge ${run.status}`;
      }
    } catch (error) {
      this.status(`could not read the run's final status: ${error.message}`, true);
    }
  }

  status(text, isError) {
    const line = this.container.querySelector("[data-testid=live-status]");
    line.textContent = text;
    line.classList.toggle("error", isError);
  }

  draw() {
    this.drawStepLoss();
    for (const curve of CURVES) {
      const keys = this.series.keysOf(curve);
      if (keys.length === 0 || this.series.epochs.length === 0) continue;
      const shape = keys.join(",");
      if (this.charts[curve.name] && this.shape[curve.name] === shape) {
        this.charts[curve.name].setData(this.series.dataOf(curve));
        continue;
      }
      if (this.charts[curve.name]) this.charts[curve.name].destroy();
      let box = this.container.querySelector(`#chart-${curve.name}`);
      if (!box) {
        box = chartBox(curve.name, curve.title);
        this.container.querySelector(".charts").append(box);
      }
      this.charts[curve.name] = makeChart(box, curve.name, curveOptions(curve, keys), this.series.dataOf(curve));
      this.shape[curve.name] = shape;
    }
  }
}

// The loss of the steps the run logs (train --log-every): moves within an epoch.
LiveCurves.prototype.drawStepLoss = function drawStepLoss() {
  const data = [this.series.steps, this.series.stepLosses];
  if (data[0].length === 0) return;
  if (this.charts["step-loss"]) {
    this.charts["step-loss"].setData(data);
    return;
  }
  const box = chartBox("step-loss", "Loss per logged step");
  this.container.querySelector(".charts").append(box);
  this.charts["step-loss"] = makeChart(box, "step-loss", {
    scales: { x: { time: false } }, axes: [{ label: "step" }, {}],
    series: [{ label: "step" }, lineSeries("loss", 3, { points: { show: false } })],
  }, data);
};

// ---- router ------------------------------------------------------------------------------------
const routes = {
  runs: renderRuns,
  run: renderRun,
  compare: renderCompare,
  data: renderData,
  model: renderModel,
  playground: renderPlayground,
  sweeps: renderSweeps,
  sweep: renderSweep,
};

function parseHash() {
  const hash = location.hash.replace(/^#\/?/, "");
  const [name, query = ""] = hash.split("?");
  return { name: name || "runs", params: new URLSearchParams(query) };
}

async function route() {
  leavePage();
  clearErrors();
  const { name, params } = parseHash();
  const main = document.getElementById("main");
  main.replaceChildren();
  main.dataset.page = name;
  main.dataset.state = "loading";
  for (const link of document.querySelectorAll("#nav a")) {
    link.classList.toggle("active", link.getAttribute("href") === `#/${name}`);
  }
  const render = routes[name];
  try {
    if (!render) throw new Error(`no page "${name}"; the pages are ${Object.keys(routes).join(", ")}`);
    await render(main, params);
    main.dataset.state = "ready";
    // When the page was shown, in ms since navigation started (bench/dashboard.py reads it).
    main.dataset.readyAt = performance.now().toFixed(1);
  } catch (error) {
    main.append(errorBox(error));
    main.dataset.state = "error";
  }
}

function requireRun(params) {
  const id = params.get("run");
  if (!id) throw new Error("no run given: open a run from the Runs page");
  return id;
}

function runTabs(id, current) {
  const tabs = [["run", "Run"], ["data", "Data"], ["model", "Model"], ["playground", "Playground"]];
  return el("nav", { class: "tabs", "data-testid": "run-tabs" },
            tabs.map(([route, label]) => el("a", {
              href: `#/${route}?run=${encodeURIComponent(id)}`, class: route === current ? "active" : "",
              "data-testid": `tab-${route}`, text: label })));
}

// ---- Runs page ---------------------------------------------------------------------------------
const RUN_COLUMNS = [
  { key: "id", title: "run", value: (r) => r.id },
  { key: "status", title: "status", value: (r) => r.status },
  { key: "kind", title: "kind", value: (r) => r.kind },
  { key: "task", title: "task", value: (r) => r.task || "" },
  { key: "model", title: "model", value: (r) => r.model || r.dataset || "" },
  { key: "epochs", title: "epochs", value: (r) => r.epochs_done },
  { key: "lr", title: "lr", value: (r) => r.config && r.config.lr },
  { key: "batch_size", title: "batch", value: (r) => r.config && r.config.batch_size },
  { key: "optimizer", title: "optimizer", value: (r) => r.config && r.config.optimizer },
  { key: "loss", title: "final loss", value: (r) => finalMetric(r, "loss") },
  { key: "train_accuracy", title: "train acc.", value: (r) => finalMetric(r, "train_accuracy") },
  { key: "val_accuracy", title: "val. acc.", value: (r) => finalMetric(r, "val_accuracy") },
  { key: "test_accuracy", title: "test acc.", value: (r) => finalMetric(r, "test_accuracy") },
  { key: "modified", title: "modified", value: (r) => r.modified },
];

const SHOWN_CONFIG = new Set(["task", "model", "dataset", "lr", "batch_size", "optimizer", "epochs",
                              "command", "run_dir", "data_dir", "log_every", "threads"]);
const MAX_CONFIG_COLUMNS = 8;

// Columns for the config keys whose values differ between the runs (what sets them apart),
// those most runs have first.
function varyingConfigColumns(runs) {
  const values = new Map();
  const configured = runs.filter((run) => run.config);
  for (const run of configured) {
    for (const [key, value] of Object.entries(run.config || {})) {
      if (SHOWN_CONFIG.has(key) || (value !== null && typeof value === "object")) continue;
      if (!values.has(key)) values.set(key, []);
      values.get(key).push(value);
    }
  }
  return [...values.entries()]
    .filter(([, seen]) => new Set(seen).size > 1 || seen.length < configured.length)
    .sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))
    .slice(0, MAX_CONFIG_COLUMNS)
    .map(([key]) => ({ key: `config.${key}`, title: key, value: (r) => (r.config ? r.config[key] : null) }));
}

// A final metric as summary.json states it; the last epoch's while the run has no summary.
function finalMetric(run, key) {
  if (run.summary && typeof run.summary[key] === "number") return run.summary[key];
  if (run.last_epoch && typeof run.last_epoch[key] === "number") return run.last_epoch[key];
  return null;
}

function formatCell(column, value) {
  if (column.key === "modified" && typeof value === "number") {
    return new Date(value * 1000).toISOString().replace("T", " ").slice(0, 19);
  }
  return formatValue(value);
}

function compareValues(a, b) {
  const missingA = a === null || a === undefined;
  const missingB = b === null || b === undefined;
  if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

async function renderRuns(main) {
  const body = await api("/api/runs");
  document.getElementById("root").textContent = body.root || "";
  const state = { sortKey: "id", descending: false, filter: "", selected: new Set() };
  const metricsStart = RUN_COLUMNS.findIndex((c) => c.key === "loss");
  const columns = [...RUN_COLUMNS.slice(0, metricsStart), ...varyingConfigColumns(body.runs),
                   ...RUN_COLUMNS.slice(metricsStart)];
  const table = el("table", { class: "runs", id: "runs-table", "data-testid": "runs-table" });
  const count = el("span", { class: "muted", "data-testid": "runs-count" });
  const compare = el("button", { "data-testid": "compare-button", disabled: true, text: "Compare selected",
                                 onclick: () => { location.hash = `#/compare?${[...state.selected].map(runQuery).join("&")}`; } });
  const filter = el("input", { type: "search", placeholder: "filter (any column, e.g. lenet or training)",
                               "data-testid": "runs-filter", id: "runs-filter" });
  // Redrawn once typing pauses: a table of hundreds of runs is not rebuilt for every key.
  filter.addEventListener("input", debounce(() => { state.filter = filter.value.trim().toLowerCase(); draw(); }, 120));

  function header() {
    const checkbox = el("th", {});
    return el("thead", {}, el("tr", {}, checkbox, columns.map((column) => el("th", {
      "data-sort-key": column.key, class: "sortable",
      "aria-sort": state.sortKey === column.key ? (state.descending ? "descending" : "ascending") : "none",
      text: column.title + (state.sortKey === column.key ? (state.descending ? " ▼" : " ▲") : ""),
      onclick: () => {
        state.descending = state.sortKey === column.key ? !state.descending : false;
        state.sortKey = column.key;
        draw();
      } }))));
  }

  function row(run) {
    const select = el("input", { type: "checkbox", "data-testid": "select-run", checked: state.selected.has(run.id) });
    select.addEventListener("change", () => {
      if (select.checked) state.selected.add(run.id); else state.selected.delete(run.id);
      compare.disabled = state.selected.size < 1;
    });
    const cells = columns.map((column) => {
      const value = column.value(run);
      const cell = el("td", { "data-testid": `cell-${column.key}`, "data-value": value === null || value === undefined ? "" : value });
      if (column.key === "id") cell.append(runLink(run.id));
      else if (column.key === "status") cell.append(statusBadge(run));
      else cell.textContent = formatCell(column, value);
      return cell;
    });
    return el("tr", { "data-run-id": run.id, class: `status-${run.status}` }, el("td", {}, select), cells);
  }

  function draw() {
    const column = columns.find((c) => c.key === state.sortKey);
    const visible = body.runs.filter((run) => !state.filter || columns.some((c) =>
      formatCell(c, c.value(run)).toLowerCase().includes(state.filter)) ||
      (run.problems || []).join(" ").toLowerCase().includes(state.filter));
    visible.sort((a, b) => compareValues(column.value(a), column.value(b)) * (state.descending ? -1 : 1));
    table.replaceChildren(header(), el("tbody", {}, visible.map(row)));
    count.textContent = `${visible.length} of ${body.runs.length} runs` + (body.truncated ? " (the listing was truncated)" : "");
  }

  draw();
  main.append(section("Runs", "runs-section", el("div", { class: "toolbar" }, filter, compare, count),
                      el("div", { class: "scroll" }, table)));
  if (body.sweeps && body.sweeps.length) main.append(sweepsTable(body.sweeps));
}

function statusBadge(run) {
  const badge = el("span", { class: `badge ${run.status}`, "data-testid": "run-status", text: run.status });
  const problems = run.problems || [];
  if (problems.length === 0) return badge;
  return el("span", {}, badge, el("span", { class: "problems", "data-testid": "run-problems", text: problems.join("; ") }));
}

// ---- Compare: overlaid curves of several runs --------------------------------------------------
async function renderCompare(main, params) {
  const ids = params.getAll("run");
  if (ids.length === 0) throw new Error("no runs to compare: select some on the Runs page");
  const charts = el("div", { class: "charts" });
  main.append(section(`Comparing ${ids.length} runs`, "compare-section",
                      el("p", {}, ids.map((id) => [runLink(id), " "])), charts));
  const answers = await Promise.all(ids.map((id) => api(`/api/metrics?${runQuery(id)}`).then(
    (body) => ({ id, body }), (error) => ({ id, error }))));
  for (const answer of answers) if (answer.error) charts.append(errorBox(answer.error));
  const loaded = answers.filter((a) => !a.error).map((a) => {
    const series = new EpochSeries();
    series.add(a.body.records || []);
    return { id: a.id, series };
  });
  const comparisons = [
    { name: "compare-loss", title: "Loss", key: "loss" },
    { name: "compare-accuracy", title: "Accuracy (test, else validation, else training)",
      key: ["test_accuracy", "val_accuracy", "train_accuracy"] },
  ];
  for (const comparison of comparisons) {
    const keys = [comparison.key].flat();
    const epochs = [...new Set(loaded.flatMap((l) => l.series.epochs))].sort((a, b) => a - b);
    const columns = loaded.map((l) => {
      const key = keys.find((k) => k in l.series.values);
      const byEpoch = new Map(l.series.epochs.map((e, i) => [e, key ? l.series.values[key][i] : null]));
      return epochs.map((e) => (byEpoch.has(e) ? byEpoch.get(e) : null));
    });
    const box = chartBox(comparison.name, comparison.title);
    charts.append(box);
    makeChart(box, comparison.name, {
      scales: { x: { time: false } }, axes: [{ label: "epoch" }, {}],
      series: [{ label: "epoch" }, ...loaded.map((l, i) => lineSeries(l.id, i))],
    }, [epochs, ...columns]);
  }
}

// ---- Run page ----------------------------------------------------------------------------------
async function renderRun(main, params) {
  const id = requireRun(params);
  const run = await api(`/api/run?${runQuery(id)}`);
  main.append(el("h1", { "data-testid": "run-title", text: id }), runTabs(id, "run"),
              el("p", {}, statusBadge(run), ` ${run.kind} · ${run.task || "unknown task"} · ${run.model || run.dataset || ""}`,
                 ` · ${run.epochs_done} of ${run.epochs || "?"} epochs`));
  const live = el("section", { class: "card", "data-testid": "curves-section" }, el("h2", { text: "Curves" }),
                  el("p", { class: "muted", "data-testid": "live-status" }), el("div", { class: "charts" }));
  main.append(live);
  await new LiveCurves(id, live).poll();

  const details = el("div", { class: "columns" },
                     section("Config", "config-section", keyValueTable(run.config, "config-table")),
                     section("Summary", "summary-section", run.summary ? keyValueTable(run.summary, "summary-table")
                                                                       : el("p", { class: "muted", text: "no summary.json yet" })));
  main.append(details);
  if (run.eval) main.append(evalSection(run.eval));
  else if (run.kind !== "2d") main.append(section("Evaluation", "eval-section", el("p", { class: "muted", text: `no eval.json: run \`minitorch eval --run ${id}\`` })));
  const withModel = hasModel(run);
  if (run.kind === "2d" && withModel) {
    const box = el("div", {});
    main.append(section("Decision boundary", "boundary-section", box));
    loadInto(box, `/api/boundary?${runQuery(id)}&grid=60`, boundaryCanvas);
  }
  if (withModel && run.status !== "training" && run.kind !== "unknown") {
    const box = el("div", {});
    main.append(section("Inspection: the test samples the model gets most wrong", "inspection-section", box));
    loadInto(box, `/api/inspection?${runQuery(id)}&per_class=5`, inspectionView);
  }
  if (run.files) {
    main.append(section("Files", "files-section", el("ul", {}, run.files.map((f) =>
      el("li", { text: `${f.name} (${f.size} bytes)` })))));
  }
}

// Whether the run has the model the views that classify (boundary, inspection, playground) need.
function hasModel(run) {
  return (run.files || []).some((file) => file.name === "model.safetensors");
}

function evalSection(evaluation) {
  const classes = evaluation.classes || [];
  const report = el("table", { class: "numbers", "data-testid": "class-report" },
                    el("thead", {}, el("tr", {}, ["class", "precision", "recall", "F1", "support"].map((t) => el("th", { text: t })))),
                    el("tbody", {}, classes.map((c, i) => el("tr", { "data-class": i },
                      el("th", { text: c.class }), el("td", { text: formatValue(c.precision) }), el("td", { text: formatValue(c.recall) }),
                      el("td", { text: formatValue(c.f1) }), el("td", { text: formatValue(c.support) })))));
  return section("Evaluation", "eval-section",
                 el("p", { "data-testid": "eval-accuracy", text: `accuracy ${formatValue(evaluation.accuracy)} (${evaluation.correct} of ${evaluation.total})` }),
                 el("div", { class: "columns" }, el("div", {}, el("h3", { text: "Per class" }), report),
                    el("div", {}, el("h3", { text: "Confusion matrix (rows: true class, columns: predicted)" }),
                       confusionTable(evaluation.confusion_matrix || [], classes.map((c) => c.class)))));
}

function confusionTable(matrix, names) {
  const largest = Math.max(1, ...matrix.flat().filter((n) => typeof n === "number"));
  const header = el("tr", {}, el("th", {}), matrix.map((_, j) => el("th", { title: names[j] || j, text: names[j] !== undefined ? names[j] : j })));
  const rows = matrix.map((row, i) => el("tr", {}, el("th", { text: names[i] !== undefined ? names[i] : i }), row.map((count, j) => {
    const share = typeof count === "number" ? count / largest : 0;
    const hue = i === j ? "34, 139, 34" : "200, 40, 40";
    return el("td", { "data-row": i, "data-col": j, "data-testid": "confusion-cell", text: count,
                      style: `background: rgba(${hue}, ${(0.08 + 0.8 * share).toFixed(3)}); color: ${share > 0.55 ? "#fff" : "#000"}` });
  })));
  return el("table", { class: "confusion numbers", "data-testid": "confusion-matrix", id: "confusion-matrix" },
            el("thead", {}, header), el("tbody", {}, rows));
}

// p(class 1) over the plane as an image, with the points on top.
function boundaryCanvas(body) {
  const size = 360;
  const canvas = el("canvas", { width: size, height: size, "data-testid": "boundary-canvas", id: "boundary-canvas" });
  const context = canvas.getContext("2d");
  const grid = body.grid;
  const cell = size / grid;
  for (let row = 0; row < grid; row += 1) {
    for (let column = 0; column < grid; column += 1) {
      const p = body.probabilities[row * grid + column];
      context.fillStyle = `rgb(${Math.round(255 - 120 * p)}, ${Math.round(200 - 60 * Math.abs(p - 0.5))}, ${Math.round(135 + 120 * p)})`;
      context.fillRect(column * cell, size - (row + 1) * cell, cell + 1, cell + 1);
    }
  }
  const [x0, x1] = body.x_range;
  const [y0, y1] = body.y_range;
  for (const [x, y, label] of body.points || []) {
    context.beginPath();
    context.arc(((x - x0) / (x1 - x0)) * size, size - ((y - y0) / (y1 - y0)) * size, 4, 0, 2 * Math.PI);
    context.fillStyle = label === 1 ? COLORS[0] : COLORS[1];
    context.fill();
    context.strokeStyle = "#fff";
    context.stroke();
  }
  return [canvas, el("p", { class: "muted", text: `x1 in [${formatValue(x0)}, ${formatValue(x1)}], x2 in [${formatValue(y0)}, ${formatValue(y1)}]; blue: class 1, orange: class 0` })];
}

function imageCanvas(pixels, width = 28, height = 28, scale = 3) {
  const canvas = el("canvas", { width, height, class: "pixels", style: `width: ${width * scale}px; height: ${height * scale}px` });
  const context = canvas.getContext("2d");
  const image = context.createImageData(width, height);
  for (let i = 0; i < width * height; i += 1) {
    const value = Number(pixels[i]) || 0;
    image.data.set([value, value, value, 255], i * 4);
  }
  context.putImageData(image, 0, 0);
  return canvas;
}

function sampleView(sample, classes, kind, width, height) {
  const label = classes[sample.label] !== undefined ? classes[sample.label] : sample.label;
  const predicted = classes[sample.predicted] !== undefined ? classes[sample.predicted] : sample.predicted;
  const probabilities = (sample.probabilities || []).map((p, i) => `${classes[i] !== undefined ? classes[i] : i} ${formatValue(p)}`).join(", ");
  const chance = (index) => formatValue((sample.probabilities || [])[index]);
  let content;
  if (kind === "image" && sample.pixels) content = imageCanvas(sample.pixels, width, height, 2);
  else if (kind === "text") content = el("pre", { class: "mail", text: sample.text || "" });
  else content = el("span", { text: `(${(sample.point || []).map(formatValue).join(", ")})` });
  return el("figure", { class: "sample", "data-testid": "inspection-sample", "data-index": sample.index }, content,
            el("figcaption", { text: `#${sample.index}: true ${label}, predicted ${predicted}`, title: probabilities }),
            el("div", { class: "muted small", text: `p(${label}) = ${chance(sample.label)}, p(${predicted}) = ${chance(sample.predicted)}` }));
}

function inspectionView(body) {
  const classes = body.classes || [];
  return (body.per_class || []).map((entry) => el("div", { class: "inspection-class", "data-testid": "inspection-class", "data-class": entry.class },
    el("h3", { text: `class ${classes[entry.class] !== undefined ? classes[entry.class] : entry.class}` }),
    el("div", { class: "columns" },
       el("div", {}, el("h4", { text: `false positives (${(entry.false_positives || []).length})` }),
          el("div", { class: "samples" }, (entry.false_positives || []).map((s) => sampleView(s, classes, body.kind, body.width || 28, body.height || 28)))),
       el("div", {}, el("h4", { text: `false negatives (${(entry.false_negatives || []).length})` }),
          el("div", { class: "samples" }, (entry.false_negatives || []).map((s) => sampleView(s, classes, body.kind, body.width || 28, body.height || 28)))))));
}

// ---- Data page ---------------------------------------------------------------------------------
async function renderData(main, params) {
  const id = requireRun(params);
  main.append(el("h1", { text: id }), runTabs(id, "data"));
  const data = await api(`/api/data?${runQuery(id)}&per_class=8`);
  const classes = data.classes || [];
  const exploration = el("div", { class: "charts" });
  main.append(section("Splits", "splits-section", keyValueTable(data.splits, "splits-table")),
              section("Exploration", "exploration-section", exploration));
  const counts = data.class_counts || {};
  const split = counts.train ? "train" : Object.keys(counts)[0];
  if (split) {
    const box = chartBox("class-balance", `Class balance (${split})`);
    exploration.append(box);
    barChart(box, "class-balance", classes, counts[split], `${split} samples`);
  }
  if (data.kind === "image") renderImageData(main, data, exploration);
  else if (data.kind === "text") renderTextData(main, data, exploration);
  else if (data.kind === "2d") renderPointData(main, data);
}

function renderImageData(main, data, exploration) {
  const stats = data.pixel_stats;
  if (stats) {
    exploration.append(el("p", { "data-testid": "pixel-stats", text: `pixel mean ${formatValue(stats.mean)}, std ${formatValue(stats.std)}` }));
    const box = chartBox("pixel-histogram", "Pixel values (16 bins over 0..255)");
    exploration.append(box);
    const labels = stats.histogram.map((_, i) => `${i * 16}`);
    barChart(box, "pixel-histogram", labels, stats.histogram, "pixels");
  }
  const grid = data.classes.map((name, c) => el("div", { class: "class-row", "data-testid": "data-class-row", "data-class": c },
    el("h3", { text: name }),
    el("div", { class: "samples" }, (data.samples || []).filter((s) => s.class === c).map((s) =>
      el("figure", { class: "sample", "data-testid": "data-sample", "data-index": s.index },
         imageCanvas(s.pixels, data.width, data.height, 2), el("figcaption", { text: `${s.split} #${s.index}` }))))));
  main.append(section("Samples per class", "samples-section", grid));
}

function renderTextData(main, data, exploration) {
  const stats = data.length_stats;
  if (stats) {
    exploration.append(el("p", { "data-testid": "length-stats", text: `text length (tokens): mean ${formatValue(stats.mean)}, median ${formatValue(stats.median)}, max ${formatValue(stats.max)}` }));
    const box = chartBox("text-lengths", "Text lengths");
    exploration.append(box);
    barChart(box, "text-lengths", stats.histogram.map((b) => `${b.low}–${b.high}`), stats.histogram.map((b) => b.count), "mails");
  }
  const mails = (data.samples || []).map((s) => el("details", { class: "mail-sample", "data-testid": "data-sample", "data-index": s.index },
    el("summary", { text: `${data.classes[s.class]} · ${s.split || ""} #${s.index}: ${(s.text || "").slice(0, 90).replace(/\s+/g, " ")}` }),
    el("pre", { class: "mail", text: s.text || "" }),
    el("p", { class: "tokens" }, (s.tokens || []).map((t) => el("span", { class: t === "<unk>" ? "token unk" : "token", text: t })))));
  main.append(section("Mails", "samples-section", mails));
}

function renderPointData(main, data) {
  const box = chartBox("points", "Points");
  main.append(section("Point set", "samples-section", box));
  makeChart(box, "points", scatterOptions(data.classes.map((c) => `class ${c}`), "x1", "x2"), scatterData(data.points || [], data.classes.length));
}

// ---- Model page --------------------------------------------------------------------------------
async function renderModel(main, params) {
  const id = requireRun(params);
  main.append(el("h1", { text: id }), runTabs(id, "model"));
  const model = await api(`/api/model?${runQuery(id)}`);
  main.append(section("Module tree", "tree-section", el("pre", { class: "tree", "data-testid": "model-tree", text: model.tree || "" })),
              section(`Parameters (${formatValue(model.total_parameters)} in all)`, "parameters-section",
                      el("table", { class: "numbers", "data-testid": "parameters-table" },
                         el("thead", {}, el("tr", {}, ["name", "shape", "count"].map((t) => el("th", { text: t })))),
                         el("tbody", {}, (model.parameters || []).map((p) => el("tr", {},
                           el("td", { text: p.name }), el("td", { text: `[${(p.shape || []).join(", ")}]` }), el("td", { text: formatValue(p.count) })))))));
  const graph = el("div", { class: "graph", "data-testid": "graph" });
  main.append(section("Autodiff graph of one training step", "graph-section", graph));
  loadInto(graph, `/api/graph?${runQuery(id)}`, graphView);
}

// The SVG is our own server's Graphviz output; shown as an image all the same, so nothing in it
// (scripts, links) ever runs in the page.
function graphView(body) {
  if (body.svg) {
    const url = URL.createObjectURL(new Blob([body.svg], { type: "image/svg+xml" }));
    const image = el("img", { src: url, alt: "autodiff graph", "data-testid": "graph-svg", class: "graph-image" });
    image.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
    return [image,
            el("details", {}, el("summary", { text: "DOT" }), el("pre", { class: "dot", text: body.dot || "" }))];
  }
  return [el("p", { class: "muted", "data-testid": "graph-note", text: body.note || "no SVG layout; the DOT text follows" }),
          el("pre", { class: "dot", "data-testid": "graph-dot", text: body.dot || "" })];
}

// ---- Playground --------------------------------------------------------------------------------
async function renderPlayground(main, params) {
  const id = requireRun(params);
  main.append(el("h1", { text: id }), runTabs(id, "playground"));
  const run = await api(`/api/run?${runQuery(id)}`);
  const result = el("div", { class: "prediction", "data-testid": "prediction" });
  const chartHolder = chartBox("topk", "Top classes");
  const input = el("div", { class: "playground-input" });
  main.append(section("Playground", "playground-section", el("div", { class: "columns" }, input,
                                                            el("div", {}, result, chartHolder))));
  const predictor = new Predictor(id, result, chartHolder);
  if (!hasModel(run)) {
    input.append(el("p", { class: "error", "data-testid": "no-model",
                           text: `this run (${run.status}) has no model.safetensors to try yet` }));
  } else if (run.kind === "image") {
    let shape = [1, 28, 28];
    try {
      const model = await api(`/api/model?${runQuery(id)}`);
      if (model.input && Array.isArray(model.input.shape)) shape = model.input.shape;
    } catch (error) {
      result.append(errorBox(error));
    }
    imagePlayground(input, predictor, shape[shape.length - 1], shape[shape.length - 2]);
  } else if (run.kind === "text") {
    textPlayground(input, predictor);
  } else if (run.kind === "2d") {
    pointPlayground(input, predictor);
  } else {
    input.append(el("p", { class: "error", text: `this run (${run.status}) has no model to try: ${(run.problems || []).join("; ")}` }));
  }
}

// Posts inputs to /api/predict, one request at a time: the last input wins.
class Predictor {
  constructor(runId, result, chartHolder) {
    Object.assign(this, { runId, result, chartHolder, busy: false, pending: null, chart: null, count: 0,
                          generation: page.generation });
  }

  submit(body, contentType) {
    this.pending = { body, contentType };
    if (!this.busy) this.flush();
  }

  async flush() {
    const request = this.pending;
    this.pending = null;
    if (!request) return;
    this.busy = true;
    try {
      const answer = await api(`/api/predict?${runQuery(this.runId)}&top_k=5&resize=1`,
                               { method: "POST", headers: { "Content-Type": request.contentType }, body: request.body });
      if (this.generation !== page.generation) return;
      if (!Array.isArray(answer) || !answer[0] || !Array.isArray(answer[0].predictions)) {
        throw new Error("/api/predict: the answer holds no predictions");
      }
      this.show(answer[0].predictions);
    } catch (error) {
      this.result.replaceChildren(errorBox(error));
    }
    this.busy = false;
    this.flush();
  }

  show(predictions) {
    this.count += 1;
    this.result.dataset.answers = this.count;
    const top = predictions[0];
    this.result.replaceChildren(
      el("p", { class: "top" }, el("strong", { "data-testid": "top-class", text: top.class }), " with probability ",
         el("span", { "data-testid": "top-probability", "data-value": top.probability, text: top.probability.toFixed(4) })),
      el("table", { class: "numbers", "data-testid": "topk-table" }, el("tbody", {}, predictions.map((p) =>
        el("tr", { "data-class": p.class, "data-index": p.index }, el("th", { text: p.class }),
           el("td", { "data-value": p.probability, text: p.probability.toFixed(4) }))))));
    const labels = predictions.map((p) => p.class);
    if (this.chart) { this.chart.destroy(); page.charts = page.charts.filter((c) => c !== this.chart); }
    const options = barsOptions(labels, "probability");
    options.scales.y = { range: [0, 1] };
    this.chart = makeChart(this.chartHolder, "topk", options, [labels.map((_, i) => i), predictions.map((p) => p.probability)]);
  }
}

function debounce(callback, delay) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(whileCurrent(() => callback(...args)), delay);
    page.timers.push(timer);
  };
}

function imagePlayground(input, predictor, width, height) {
  const canvas = el("canvas", { width: 280, height: 280, class: "draw", "data-testid": "draw-canvas", id: "draw-canvas" });
  const context = canvas.getContext("2d");
  const clear = () => { context.fillStyle = "#000"; context.fillRect(0, 0, 280, 280); };
  clear();
  const send = debounce(() => {
    const small = el("canvas", { width, height });
    small.getContext("2d").drawImage(canvas, 0, 0, width, height);
    small.toBlob((blob) => predictor.submit(blob, "image/png"), "image/png");
  }, 150);
  let drawing = false;
  const point = (event) => {
    const box = canvas.getBoundingClientRect();
    return [(event.clientX - box.left) * (280 / box.width), (event.clientY - box.top) * (280 / box.height)];
  };
  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    context.beginPath();
    context.moveTo(...point(event));
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    context.lineTo(...point(event));
    Object.assign(context, { strokeStyle: "#fff", lineWidth: 22, lineCap: "round", lineJoin: "round" });
    context.stroke();
    send();
  });
  const stop = () => { if (drawing) { drawing = false; send(); } };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  const file = el("input", { type: "file", accept: "image/png,image/x-portable-graymap,.png,.pgm", "data-testid": "image-file", id: "image-file" });
  const preview = el("img", { class: "preview", alt: "", "data-testid": "image-preview" });
  const useFile = (chosen) => {
    if (!chosen) return;
    if (preview.src.startsWith("blob:")) URL.revokeObjectURL(preview.src);
    preview.src = URL.createObjectURL(chosen);
    predictor.submit(chosen, chosen.name.toLowerCase().endsWith(".pgm") ? "image/x-portable-graymap" : "image/png");
  };
  file.addEventListener("change", () => useFile(file.files[0]));
  canvas.addEventListener("dragover", (event) => event.preventDefault());
  canvas.addEventListener("drop", (event) => { event.preventDefault(); useFile(event.dataTransfer.files[0]); });
  input.append(el("p", { text: `Draw (white on black), or drop an image on the canvas; it is sent as a ${width}×${height} PNG.` }),
               canvas, el("div", {}, el("button", { "data-testid": "clear-canvas", text: "Clear", onclick: clear })),
               el("p", {}, "Or choose a PNG / PGM file: ", file), preview);
}

function textPlayground(input, predictor) {
  const area = el("textarea", { rows: 12, cols: 60, "data-testid": "mail-text", id: "mail-text", placeholder: "Type or paste a mail…" });
  const send = debounce(() => predictor.submit(JSON.stringify({ texts: [area.value] }), "application/json"), 250);
  area.addEventListener("input", send);
  input.append(el("p", { text: "Type a mail: the prediction follows as you type." }), area);
}

function pointPlayground(input, predictor) {
  const x1 = el("input", { type: "number", step: "0.05", value: "0.5", "data-testid": "x1", id: "x1" });
  const x2 = el("input", { type: "number", step: "0.05", value: "0.5", "data-testid": "x2", id: "x2" });
  const send = debounce(() => {
    const point = [Number(x1.value), Number(x2.value)];
    if (point.every(Number.isFinite)) predictor.submit(JSON.stringify({ inputs: [point] }), "application/json");
  }, 150);
  x1.addEventListener("input", send);
  x2.addEventListener("input", send);
  input.append(el("p", {}, el("label", {}, "x1 ", x1), " ", el("label", {}, "x2 ", x2)));
  send();
}

// ---- Sweeps ------------------------------------------------------------------------------------
function sweepsTable(sweeps) {
  return section("Sweeps", "sweeps-section", el("table", { class: "numbers", "data-testid": "sweeps-table" },
    el("thead", {}, el("tr", {}, ["sweep", "trials", "complete", "pruned", "failed", "metric", "best trial", "best value"].map((t) => el("th", { text: t })))),
    el("tbody", {}, sweeps.map((s) => el("tr", { "data-sweep-id": s.id },
      el("td", {}, el("a", { href: `#/sweep?sweep=${encodeURIComponent(s.id)}`, text: s.id })),
      [s.trials, s.complete, s.pruned, s.failed, s.metric, s.best_trial, s.best_value].map((v) => el("td", { text: formatValue(v) })))))));
}

async function renderSweeps(main) {
  const body = await api("/api/runs");
  document.getElementById("root").textContent = body.root || "";
  if (!body.sweeps || body.sweeps.length === 0) {
    main.append(section("Sweeps", "sweeps-section", el("p", { class: "muted", text: "no sweep.json under this directory: `minitorch sweep --sweep-dir DIR` makes one" })));
    return;
  }
  main.append(sweepsTable(body.sweeps));
}

async function renderSweep(main, params) {
  const id = params.get("sweep");
  if (!id) throw new Error("no sweep given: open one from the Sweeps page");
  const body = await api(`/api/sweep?sweep=${encodeURIComponent(id)}`);
  const sweep = body.sweep || {};
  const trials = body.trials || [];
  const names = [...new Set(trials.flatMap((t) => Object.keys(t.params || {})))];
  main.append(el("h1", { text: `sweep ${id}` }),
              el("p", { text: `metric ${sweep.metric || "?"} (${sweep.direction || "?"}), best trial ${formatValue(sweep.best_trial)}` }));
  main.append(section("Trials", "trials-section", el("table", { class: "numbers", "data-testid": "trials-table" },
    el("thead", {}, el("tr", {}, ["trial", "state", ...names, "value", "epochs"].map((t) => el("th", { text: t })))),
    el("tbody", {}, trials.map((t) => el("tr", { "data-trial": t.number, class: `state-${t.state}` },
      el("td", {}, t.run ? runLink(t.run) : String(t.number)), el("td", { text: t.state }),
      names.map((n) => el("td", { text: formatValue((t.params || {})[n]) })),
      el("td", { text: formatValue(t.value) }), el("td", { text: formatValue(t.epochs_done) })))))));
  const charts = el("div", { class: "charts" });
  main.append(section("Metric against each parameter", "params-section", charts));
  const states = ["complete", "pruned", "failed", "running"];
  for (const name of names) {
    const numeric = trials.filter((t) => typeof (t.params || {})[name] === "number");
    const categories = [...new Set(trials.map((t) => String((t.params || {})[name])))];
    const isNumeric = numeric.length === trials.length;
    const logScale = isNumeric && numeric.every((t) => t.params[name] > 0) &&
                     Math.max(...numeric.map((t) => t.params[name])) / Math.min(...numeric.map((t) => t.params[name])) > 50;
    const points = trials.filter((t) => typeof t.value === "number").map((t) => [
      isNumeric ? t.params[name] : categories.indexOf(String(t.params[name])), t.value, Math.max(0, states.indexOf(t.state))]);
    const box = chartBox(`sweep-${name}`, `${sweep.metric || "value"} against ${name}`);
    charts.append(box);
    const options = scatterOptions(states, name, sweep.metric || "value");
    options.scales.x = logScale ? { time: false, distr: 3 } : { time: false, range: paddedRange };
    if (logScale) options.axes[0] = { label: name, values: (u, ticks) => ticks.map((t) => (t === null ? "" : formatValue(t))) };
    if (!isNumeric) {
      options.scales.x.range = [-0.5, categories.length - 0.5];
      options.axes[0] = { label: name, splits: () => categories.map((_, i) => i), values: (u, ticks) => ticks.map((t) => categories[t] || "") };
    }
    makeChart(box, `sweep-${name}`, options, scatterData(points, states.length));
  }
  const longest = Math.max(0, ...trials.map((t) => (t.curve || []).length));
  const box = chartBox("sweep-curves", `${sweep.metric || "metric"} per epoch (dashed: pruned)`);
  main.append(section("Curves of the trials", "curves-section", box));
  makeChart(box, "sweep-curves", {
    scales: { x: { time: false } }, axes: [{ label: "epoch" }, {}],
    series: [{ label: "epoch" }, ...trials.map((t, i) => lineSeries(`trial ${t.number} (${t.state})`, i,
      t.state === "pruned" ? { dash: [6, 4], width: 1 } : {}))],
  }, [Array.from({ length: longest }, (_, i) => i + 1),
      ...trials.map((t) => Array.from({ length: longest }, (_, i) => ((t.curve || [])[i] ?? null)))]);
}

window.addEventListener("hashchange", route);
if (typeof uPlot === "undefined") showError("uPlot did not load: the page's charts cannot be drawn");
route();
