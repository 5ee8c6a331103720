// Reports: the compliance board (units × periods), a report's form with its computed cells,
// the workflow buttons the role allows, and the workbook's download and upload.
import { el, gql, may, ownUnits, pagedTable, showError, status, t, when } from "./api.js";

const form = document.getElementById("choice");

/** The period ``steps`` before ``period`` ("2026-03", "2026-Q1", "2026-H1", "2026"; negative:
 * after), or null for a type this page does not step (weeks, days: the window then stays). The
 * board's periods themselves are the hub's (reportingComplianceHistory). */
function before(period, steps) {
  let match;
  if ((match = /^(\d{4})-(\d{2})$/.exec(period))) {
    const index = Number(match[1]) * 12 + Number(match[2]) - 1 - steps;
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
  }
  if ((match = /^(\d{4})-([QH])(\d)$/.exec(period))) {
    const per = match[2] === "Q" ? 4 : 2;
    const index = Number(match[1]) * per + Number(match[3]) - 1 - steps;
    return `${Math.floor(index / per)}-${match[2]}${(index % per) + 1}`;
  }
  if (/^\d{4}$/.test(period)) return String(Number(period) - steps);
  return null;
}

function lastMonth() {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
}

const TIMELINESS = { ON_TIME: "on_time", LATE: "late", MISSING: "missing", NOT_DUE: "not_due" };

/** The board: the chosen number of periods ending with the one asked, read in one query;
 * "earlier" and "later" move the window by its width. */
async function showBoard() {
  const board = document.getElementById("board");
  const template = form.elements.template.value;
  const period = form.elements.period.value.trim();
  const within = form.elements.within.value.trim();
  const count = Number(form.elements.count.value);
  if (!template || !within) return;
  try {
    const data = await gql(
      `query($template: ID!, $within: ID!, $until: String!, $count: Int!) {
        reportingComplianceHistory(template: $template, within: $within, until: $until, count: $count) {
          period due onTime late missing onTimeRate
          staleSources { connector schedule lastDelivered staleSince }
          units { unit { code name } status timeliness deadline submittedAt } } }`,
      { template, within, until: period, count },
    );
    const boards = data.reportingComplianceHistory;
    const periods = boards.map((b) => b.period);
    const latest = boards[boards.length - 1];
    document.getElementById("summary").textContent =
      `${latest.period}: ${t.on_time} ${latest.onTime} · ${t.late} ${latest.late} · ${t.missing} ${latest.missing}` +
      (latest.onTimeRate === null ? "" : ` · ${latest.onTimeRate.toFixed(0)}%`);
    drawStaleSources(boards);
    const units = new Map();
    boards.forEach((b, i) => b.units.forEach((u) => (units.get(u.unit.code) ?? units.set(u.unit.code, { unit: u.unit, by: [] }).get(u.unit.code)).by[i] = u));
    const cell = (i, p) => ({ unit, by }) => {
      const u = by[i];
      if (!u) return "";
      const stale = boards[i].staleSources.length > 0;
      return el(
        "a",
        { href: "#", class: `open-report ${TIMELINESS[u.timeliness]}${stale ? " source-stale" : ""}`, "data-unit": unit.code, "data-period": p, onclick: (e) => (e.preventDefault(), openReport(unit.code, p)) },
        `${t[TIMELINESS[u.timeliness]]} · ${t[u.status] ?? u.status}${stale ? " ⚠" : ""}`,
      );
    };
    const heading = (b) => (b.staleSources.length ? `${b.period} ⚠` : b.period);
    board.replaceChildren(
      pagedTable(
        [[t.unit, ({ unit }) => unit.name], ...boards.map((b, i) => [heading(b), cell(i, periods[i])])],
        [...units.values()],
        { id: "board-table", "data-periods": periods.join(" ") },
      ),
    );
  } catch (error) {
    showError(board, error);
  }
}

/** Which sources have not delivered for longer than their schedule expects, and the periods
 * whose figures they may leave out (the hub decides both). */
function drawStaleSources(boards) {
  const notice = document.getElementById("stale-sources");
  const bySource = new Map();
  for (const b of boards) {
    for (const s of b.staleSources) (bySource.get(s.connector) ?? bySource.set(s.connector, { s, periods: [] }).get(s.connector)).periods.push(b.period);
  }
  notice.replaceChildren(
    ...[...bySource.values()].map(({ s, periods }) =>
      el("p", { class: "stale", "data-connector": s.connector }, staleSentence(s, periods)),
    ),
  );
}

function staleSentence(s, periods) {
  return `⚠ ${t.source_stale}: ${s.connector} — ${t.last_delivered} ${when(s.lastDelivered)} · ${t.schedule} ${s.schedule ?? ""} · ${periods.join(", ")}`;
}

/** Move the board's window by ``steps`` of its width (negative: earlier). */
function move(steps) {
  const count = Number(form.elements.count.value);
  const moved = before(form.elements.period.value.trim(), -steps * count);
  if (!moved) return;
  form.elements.period.value = moved;
  form.requestSubmit();
}

const REPORT = `query($template: ID!, $unit: ID!, $period: String!) {
  report(template: $template, unit: $unit, period: $period) {
    unit { code name } period status locked stale deadline timeliness version downloadPath
    cells { address row column kind value display editable error }
    template { name columns { column label } rows { row label indent bold } } } }`;

let current = null;

async function openReport(unit, period) {
  const template = form.elements.template.value;
  current = { template, unit, period };
  const card = document.getElementById("report-card");
  card.hidden = false;
  const container = document.getElementById("report");
  document.getElementById("report-outcome").textContent = "";
  try {
    const { report } = await gql(REPORT, current);
    drawReport(report);
  } catch (error) {
    showError(container, error);
  }
}

function drawReport(report) {
  document.getElementById("report-title").textContent = `${report.template.name} · ${report.unit.name} · ${report.period}`;
  document.getElementById("report-state").replaceChildren(
    status(report.status, { id: "report-status" }),
    ` · ${t.deadline} ${report.deadline} · `,
    el("span", { class: TIMELINESS[report.timeliness] }, t[TIMELINESS[report.timeliness]]),
    report.stale ? el("span", { class: "stale" }, ` · ${t.stale}`) : "",
  );
  const cells = new Map(report.cells.map((c) => [`${c.row}:${c.column}`, c]));
  const editable = may.file_reports && !report.locked;
  document.getElementById("report").replaceChildren(
    el(
      "table",
      { class: "cells", id: "report-table" },
      el("thead", {}, el("tr", {}, el("th", {}, ""), report.template.columns.map((c) => el("th", { class: "num" }, c.label)))),
      el(
        "tbody",
        {},
        report.template.rows.map((row) =>
          el(
            "tr",
            {},
            el("td", { style: `padding-left:${0.5 + row.indent}rem;${row.bold ? "font-weight:600" : ""}` }, row.label),
            report.template.columns.map((column) => {
              const cell = cells.get(`${row.row}:${column.column}`);
              if (!cell) return el("td", {}, "");
              if (cell.editable && editable) {
                return el("td", { class: "input" }, el("input", { name: cell.address, value: cell.value ?? "", "data-address": cell.address }));
              }
              return el(
                "td",
                { class: cell.kind === "INPUT" ? "value" : "computed", title: cell.error || cell.kind },
                cell.error ? el("span", { class: "error" }, cell.display) : cell.display,
              );
            }),
          ),
        ),
      ),
    ),
  );
  drawActions(report, editable);
}

/** The buttons of the steps the report's status and the person's role allow: a unit files its
 * own reports; the level above reviews them (approve, return a submitted one; reopen). */
function drawActions(report, editable) {
  const buttons = [];
  const button = (name, run) => el("button", { type: "button", id: `report-${name}`, onclick: () => act(run) }, t[name]);
  const reviewer = may.review_reports && !ownUnits.includes(report.unit.code);
  if (editable) buttons.push(button("save", save));
  if (editable && report.status !== "SUBMITTED") buttons.push(button("submit", () => step("submitReport")));
  if (reviewer && report.status === "SUBMITTED") {
    buttons.push(button("approve", () => step("approveReport")));
    buttons.push(button("return", () => step("returnReport", prompt(t.reason_prompt))));
  }
  if (reviewer && report.status === "APPROVED") buttons.push(button("reopen", () => step("reopenReport", prompt(t.reason_prompt))));
  buttons.push(el("a", { href: report.downloadPath, id: "report-download" }, t.download));
  if (editable) {
    const file = el("input", { type: "file", accept: ".xlsx", id: "report-upload", onchange: () => act(() => upload(report, file)) });
    buttons.push(el("label", {}, t.upload, file));
  }
  document.getElementById("report-actions").replaceChildren(...buttons);
}

/** Send a filled workbook to the path it was downloaded from; the hub names every bad cell. */
async function upload(report, input) {
  const body = new FormData();
  body.append("file", input.files[0]);
  const response = await fetch(report.downloadPath, { method: "POST", body, credentials: "same-origin" });
  input.value = "";
  if (response.status === 405) throw new Error(t.not_available);
  if (!response.ok) {
    const answer = await response.json().catch(() => ({ errors: [response.statusText] }));
    throw new Error((answer.errors || [answer.detail || response.statusText]).join("\n"));
  }
}

async function save() {
  const values = [...document.querySelectorAll("#report-table input[data-address]")].map((input) => ({
    address: input.dataset.address,
    value: input.value.trim() === "" ? null : input.value.trim(),
  }));
  await gql(
    `mutation($template: ID!, $unit: ID!, $period: String!, $values: [CellInput!]!) {
       saveReport(template: $template, unit: $unit, period: $period, values: $values) { status } }`,
    { ...current, values },
  );
}

async function step(mutation, reason) {
  if (reason === null) return; // the prompt was cancelled
  const withReason = reason !== undefined;
  await gql(
    `mutation($template: ID!, $unit: ID!, $period: String!${withReason ? ", $reason: String!" : ""}) {
       ${mutation}(template: $template, unit: $unit, period: $period${withReason ? ", reason: $reason" : ""}) { status } }`,
    withReason ? { ...current, reason } : current,
  );
}

async function act(run) {
  const outcome = document.getElementById("report-outcome");
  try {
    await run();
    outcome.textContent = "";
  } catch (error) {
    outcome.replaceChildren(el("span", { class: "error" }, error.message));
  }
  try {
    drawReport((await gql(REPORT, current)).report);
  } catch (error) {
    showError(document.getElementById("report"), error);
  }
  await showBoard();
}

async function start() {
  const params = new URLSearchParams(location.search);
  const select = form.elements.template;
  // The form named in the address is shown at once, while the list of forms is read.
  if (params.get("template")) select.append(el("option", { value: params.get("template") }, params.get("template")));
  for (const name of ["period", "within", "count"]) {
    if (params.get(name)) form.elements[name].value = params.get(name);
  }
  form.elements.period.value ||= lastMonth();
  const listed = gql(`{ reportTemplates { code name periodType } }`).then(({ reportTemplates }) => {
    const chosen = select.value;
    select.replaceChildren(...reportTemplates.map((r) => el("option", { value: r.code }, `${r.name} (${r.code})`)));
    if (chosen) select.value = chosen;
  });
  await Promise.all([select.value ? showBoard() : listed.then(showBoard), listed]);
}

document.getElementById("earlier").addEventListener("click", () => move(-1));
document.getElementById("later").addEventListener("click", () => move(1));
form.addEventListener("submit", (event) => {
  event.preventDefault();
  history.replaceState(null, "", `?${new URLSearchParams(new FormData(form))}`);
  showBoard();
});
start().catch((error) => showError(document.getElementById("board"), error));
