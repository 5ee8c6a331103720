// Connectors: each with its last run, its history, enable/disable and run now; the quarantine.
import { el, gql, hasField, may, number, pagedList, showError, t, table, when } from "./api.js";

const RUN_FIELDS = "id status startedAt finishedAt recordsRead recordsWritten recordsQuarantined error trigger";
let runFields = RUN_FIELDS;
let selected = new Set();

function seconds(run) {
  if (!run.finishedAt) return "";
  return `${((new Date(run.finishedAt) - new Date(run.startedAt)) / 1000).toFixed(1)} s`;
}

function runCells(run) {
  if (!run) return [t.none];
  return [
    el("span", { class: `status ${run.status.toLowerCase()}` }, run.status),
    ` ${when(run.startedAt)} · ${t.read} ${number(run.recordsRead)} · ${t.written} ${number(run.recordsWritten)}`,
    ` · ${t.quarantined} ${number(run.recordsQuarantined)}`,
    run.recordsSkipped !== undefined ? ` · ${t.skipped} ${number(run.recordsSkipped)}` : "",
    run.error ? el("pre", { class: "error" }, run.error) : "",
  ];
}

async function loadConnectors() {
  const container = document.getElementById("connectors");
  try {
    const { connectors } = await gql(
      `{ connectors { id plugin kind enabled schedule lastRun { ${runFields} } } }`,
    );
    container.replaceChildren(
      table(
        [
          [t.connector, (c) => el("a", { href: "#", onclick: (e) => (e.preventDefault(), showHistory(c.id)) }, c.id)],
          [t.plugin, (c) => c.plugin],
          [t.kind, (c) => c.kind],
          [t.enabled, (c) => (c.enabled ? "✔" : "—")],
          [t.schedule, (c) => c.schedule || ""],
          [t.last_run, (c) => runCells(c.lastRun)],
          [t.actions, (c) => (may.configure ? actions(c) : "")],
        ],
        connectors,
        { id: "connector-table" },
      ),
    );
    const select = document.getElementById("quarantine-connector");
    if (select.options.length === 1) {
      for (const c of connectors) select.append(el("option", { value: c.id }, c.id));
    }
  } catch (error) {
    showError(container, error);
  }
}

function actions(connector) {
  const toggle = el(
    "button",
    {
      "data-connector": connector.id,
      class: "toggle",
      onclick: async () => {
        toggle.disabled = true;
        await act(() =>
          gql(`mutation($id: ID!, $on: Boolean!) { setConnectorEnabled(id: $id, enabled: $on) { id } }`, {
            id: connector.id,
            on: !connector.enabled,
          }),
        );
      },
    },
    connector.enabled ? t.disable : t.enable,
  );
  const run = el(
    "button",
    {
      "data-connector": connector.id,
      class: "run",
      onclick: async () => {
        run.disabled = true;
        run.textContent = t.running;
        await act(() => gql(`mutation($id: ID!) { runConnector(id: $id) { id } }`, { id: connector.id }));
      },
    },
    t.run_now,
  );
  return [toggle, " ", run];
}

async function act(change) {
  try {
    await change();
  } catch (error) {
    alert(error.message);
  }
  await loadConnectors();
  await loadQuarantine();
}

async function showHistory(id) {
  document.getElementById("history-card").hidden = false;
  document.getElementById("history-of").textContent = id;
  const container = document.getElementById("history");
  try {
    const { connector } = await gql(`query($id: ID!) { connector(id: $id) { runs(last: 50) { ${runFields} } } }`, { id });
    container.replaceChildren(
      table(
        [
          [t.started, (r) => when(r.startedAt)],
          [t.status, (r) => el("span", { class: `status ${r.status.toLowerCase()}` }, r.status)],
          [t.duration, (r) => seconds(r)],
          [t.read, (r) => number(r.recordsRead)],
          [t.written, (r) => number(r.recordsWritten)],
          [t.quarantined, (r) => number(r.recordsQuarantined)],
          ...(runFields.includes("recordsSkipped") ? [[t.skipped, (r) => number(r.recordsSkipped)]] : []),
          ["", (r) => (r.error ? el("pre", { class: "error" }, r.error) : r.trigger)],
        ],
        connector.runs,
        { id: "history-table" },
      ),
    );
  } catch (error) {
    showError(container, error);
  }
}

async function loadQuarantine() {
  selected = new Set();
  updateButtons();
  const connectorId = document.getElementById("quarantine-connector").value || null;
  await pagedList(
    document.getElementById("quarantine"),
    async (after) =>
      (
        await gql(
          `query($c: ID, $after: String) { quarantine(connectorId: $c, first: 20, after: $after) {
             edges { node { id connectorId receivedAt reason place payload } }
             pageInfo { hasNextPage endCursor } } }`,
          { c: connectorId, after },
        )
      ).quarantine,
    (records) =>
      table(
        [
          ["", (r) => (may.configure ? el("input", { type: "checkbox", class: "pick", value: r.id, onchange: pick }) : "")],
          [t.received, (r) => when(r.receivedAt)],
          [t.connector, (r) => r.connectorId],
          [t.reason, (r) => r.reason],
          [t.place, (r) => r.place || ""],
          [t.payload, (r) => el("pre", { class: "payload" }, JSON.stringify(r.payload, null, 1))],
        ],
        records,
        { class: "quarantine-table" },
      ),
  );
}

function pick(event) {
  if (event.target.checked) selected.add(event.target.value);
  else selected.delete(event.target.value);
  updateButtons();
}

function updateButtons() {
  for (const id of ["discard", "retry"]) {
    const button = document.getElementById(id);
    if (button) button.disabled = selected.size === 0 || button.dataset.missing === "yes";
  }
}

async function offerQuarantineActions() {
  const outcome = document.getElementById("quarantine-outcome");
  for (const [id, mutation, describe] of [
    ["discard", `mutation($ids: [ID!]!) { result: discardQuarantined(ids: $ids) }`, (n) => `${t.discard}: ${n}`],
    [
      "retry",
      `mutation($ids: [ID!]!) { result: retryQuarantined(ids: $ids) { stored stillQuarantined } }`,
      (r) => `${t.written}: ${r.stored} · ${t.quarantined}: ${r.stillQuarantined}`,
    ],
  ]) {
    const button = document.getElementById(id);
    if (!button) continue;
    if (!(await hasField("Mutation", `${id}Quarantined`))) {
      button.dataset.missing = "yes";
      button.title = t.not_available;
      continue;
    }
    button.addEventListener("click", async () => {
      try {
        const { result } = await gql(mutation, { ids: [...selected] });
        outcome.textContent = describe(result);
      } catch (error) {
        outcome.textContent = error.message;
      }
      await loadConnectors();
      await loadQuarantine();
    });
  }
}

async function start() {
  if (await hasField("SyncRun", "recordsSkipped").catch(() => false)) runFields += " recordsSkipped";
  document.getElementById("quarantine-filter").addEventListener("submit", (event) => {
    event.preventDefault();
    loadQuarantine();
  });
  await offerQuarantineActions();
  await loadConnectors();
  await loadQuarantine();
}

start();
