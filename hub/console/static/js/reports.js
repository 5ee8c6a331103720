// Reports: the compliance board (units × periods), a report's form with its computed cells,
// the workflow buttons the role allows, and the workbook's download and upload.
import { el, gql, may, pagedTable, showError, t } from "./api.js";

const form = document.getElementById("choice");
const PERIODS_SHOWN = 3;

/** The period ``steps`` before ``period`` ("2026-03", "2026-Q1", "2026-H1", "2026"), or null
 * for a type this page does not step (the board then shows the one period asked). */
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

async function showBoard() {
  const board = document.getElementById("board");
  const template = form.elements.template.value;
  const period = form.elements.period.value.trim();
  const within = form.elements.within.value.trim();
  if (!template || !within) return;
  const periods = [period];
  for (let step = 1; step < PERIODS_SHOWN && before(period, step); step++) periods.unshift(before(period, step));
  try {
    const query = periods
      .map(
        (p, i) => `p${i}: reportingCompliance(template: $template, period: "${p}", within: $within) {
          period due onTime late missing onTimeRate
          units { unit { code name } status timeliness deadline submittedAt } }`,
      )
      .join("\n");
    const data = await gql(`query($template: ID!, $within: ID!) { ${query} }`, { template, within });
    const boards = periods.map((_, i) => data[`p${i}`]);
    const latest = boards[boards.length - 1];
    document.getElementById("summary").textContent =
      `${period}: ${t.on_time} ${latest.onTime} · ${t.late} ${latest.late} · ${t.missing} ${latest.missing}` +
      (latest.onTimeRate === null ? "" : ` · ${latest.onTimeRate.toFixed(0)}%`);
    const units = new Map();
    boards.forEach((b, i) => b.units.forEach((u) => (units.get(u.unit.code) ?? units.set(u.unit.code, { unit: u.unit, by: [] }).get(u.unit.code)).by[i] = u));
    const cell = (i, p) => ({ unit, by }) => {
      const u = by[i];
      if (!u) return "";
      return el(
        "a",
        { href: "#", class: `open-report ${TIMELINESS[u.timeliness]}`, "data-unit": unit.code, "data-period": p, onclick: (e) => (e.preventDefault(), openReport(unit.code, p)) },
        `${t[TIMELINESS[u.timeliness]]} · ${u.status}`,
      );
    };
    board.replaceChildren(
      pagedTable(
        [[t.unit, ({ unit }) => unit.name], ...periods.map((p, i) => [p, cell(i, p)])],
        [...units.values()],
        { id: "board-table" },
      ),
    );
  } catch (error) {
    showError(board, error);
  }
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
    el("span", { class: `status ${report.status.toLowerCase()}`, id: "report-status" }, report.status),
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

function drawActions(report, editable) {
  const buttons = [];
  const button = (name, run) => el("button", { type: "button", id: `report-${name}`, onclick: () => act(run) }, t[name]);
  if (editable) {
    buttons.push(button("save", save));
    buttons.push(button("submit", () => step("submitReport")));
  }
  if (may.review_reports) {
    buttons.push(button("approve", () => step("approveReport")));
    buttons.push(button("return", () => step("returnReport", prompt(t.reason_prompt))));
    buttons.push(button("reopen", () => step("reopenReport", prompt(t.reason_prompt))));
  }
  buttons.push(el("a", { href: report.downloadPath, id: "report-download" }, t.download));
  document.getElementById("report-actions").replaceChildren(...buttons);
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
  for (const name of ["period", "within"]) {
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

form.addEventListener("submit", (event) => {
  event.preventDefault();
  history.replaceState(null, "", `?${new URLSearchParams(new FormData(form))}`);
  showBoard();
});
start().catch((error) => showError(document.getElementById("board"), error));
