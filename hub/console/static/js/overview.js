// Overview: a metric or indicator by unit on a map and in a table, a unit's time series, the
// open alerts (acknowledged in place) and the events as they arrive.
import { el, gql, may, number, pagedList, pagedTable, showError, subscribe, t, table, when } from "./api.js";
import { drawMap } from "./map.js";

const form = document.getElementById("choice");
const language = document.documentElement.lang;

function label(item) {
  return (language === "vi" && item.nameVi) || item.name;
}

/** The month before this one ("2026-11"), and the one eleven months before it. */
function defaultMonths() {
  const now = new Date();
  const month = (offset) => {
    const d = new Date(now.getFullYear(), now.getMonth() - offset, 1);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
  };
  return [month(12), month(1)];
}

async function fillChoices() {
  const data = await gql(`{ metrics { code name nameVi sector } indicators { code name nameVi }
                            adminUnits(level: PROVINCE) { code name } }`);
  const metric = document.getElementById("metric");
  metric.append(
    el("optgroup", { label: t.metric }, data.metrics.map((m) => el("option", { value: m.code }, `${label(m)} (${m.code})`))),
    el("optgroup", { label: "Indicators" }, data.indicators.map((i) => el("option", { value: i.code }, `${label(i)} (${i.code})`))),
  );
  const within = document.getElementById("within");
  within.append(el("option", { value: "" }, "—"), ...data.adminUnits.map((u) => el("option", { value: u.code }, u.name)));
  within.value = within.dataset.default;
  const [from, to] = defaultMonths();
  const params = new URLSearchParams(location.search);
  for (const name of ["metric", "within", "level", "periodType", "calendar", "from", "to"]) {
    if (params.get(name)) form.elements[name].value = params.get(name);
  }
  form.elements.from.value ||= from;
  form.elements.to.value ||= to;
}

function choice() {
  const f = form.elements;
  return {
    metric: f.metric.value,
    within: f.within.value || null,
    level: f.level.value,
    periodType: f.periodType.value,
    calendar: f.calendar.value,
    from: f.from.value.trim(),
    to: f.to.value.trim(),
  };
}

let picked = null;

async function showValues() {
  const c = choice();
  const container = document.getElementById("values");
  document.getElementById("map-period").textContent = c.to;
  try {
    const { aggregate } = await gql(
      `query($metric: String!, $level: AdminLevel, $within: ID, $periodType: PeriodType!, $calendar: Calendar, $to: String!) {
         aggregate(metric: $metric, level: $level, within: $within, periodType: $periodType, calendar: $calendar, from: $to, to: $to) {
           unit { code name lat lon areaKm2 } value unitsReporting unitsExpected } }`,
      { ...c },
    );
    const rows = [...aggregate].sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity));
    container.replaceChildren(
      pagedTable(
        [
          [t.unit, (r) => el("a", { href: "#", "data-unit": r.unit.code, onclick: (e) => (e.preventDefault(), showSeries(r.unit)) }, r.unit.name)],
          [t.value, (r) => number(r.value)],
          [t.reporting, (r) => `${r.unitsReporting}/${r.unitsExpected}`],
        ],
        rows,
        { id: "values-table" },
      ),
    );
    drawMap(document.getElementById("map"), document.getElementById("legend"), aggregate, showSeries);
  } catch (error) {
    showError(container, error);
  }
  await showFreshness(c);
}

/** Say which sources of the figures shown have not delivered for longer than their schedule
 * expects (the hub decides; see sourceFreshness). */
async function showFreshness(c) {
  const notice = document.getElementById("stale-sources");
  try {
    const { sourceFreshness } = await gql(
      `query($figures: [ID!]!, $period: String!, $calendar: Calendar) {
         sourceFreshness(figures: $figures, period: $period, calendar: $calendar) {
           connector schedule lastDelivered stale } }`,
      { figures: [c.metric], period: c.to, calendar: c.calendar },
    );
    notice.replaceChildren(
      ...sourceFreshness
        .filter((s) => s.stale)
        .map((s) => el("p", { class: "stale", "data-connector": s.connector }, `⚠ ${t.source_stale}: ${s.connector} — ${t.last_delivered} ${when(s.lastDelivered)} · ${t.schedule} ${s.schedule ?? ""}`)),
    );
    notice.dataset.period = c.to; // what the notice speaks of, once the hub answered
  } catch (error) {
    showError(notice, error);
  }
}

let chart = null;

async function showSeries(unit) {
  picked = unit;
  const c = choice();
  document.getElementById("series-of").textContent = unit.name;
  const container = document.getElementById("series");
  try {
    const { aggregate } = await gql(
      `query($metric: String!, $unit: ID!, $periodType: PeriodType!, $calendar: Calendar, $from: String!, $to: String!) {
         aggregate(metric: $metric, units: [$unit], periodType: $periodType, calendar: $calendar, from: $from, to: $to) {
           period value } }`,
      { ...c, unit: unit.code },
    );
    const periods = aggregate.map((v) => v.period);
    const values = aggregate.map((v) => v.value);
    chart?.destroy();
    container.replaceChildren();
    chart = new uPlot(
      {
        width: container.clientWidth || 800,
        height: 240,
        scales: { x: { time: false } },
        axes: [
          { stroke: "#8da2b5", values: (u, ticks) => ticks.map((i) => periods[i] ?? "") },
          { stroke: "#8da2b5" },
        ],
        series: [{ label: t.period, value: (u, i) => periods[i] ?? "" }, { label: c.metric, stroke: "#3fa7f5", width: 2, points: { show: true } }],
      },
      [periods.map((_, i) => i), values],
      container,
    );
    container.dataset.points = String(values.filter((v) => v !== null).length);
  } catch (error) {
    showError(container, error);
  }
}

const ALERT_FIELDS = "id rule severity message period value raisedAt acknowledged unit { name }";

function alertRows(alerts) {
  return table(
    [
      [t.severity, (a) => a.severity],
      [t.raised_at, (a) => when(a.raisedAt)],
      [t.unit, (a) => a.unit?.name ?? ""],
      [t.message, (a) => a.message],
      [
        "",
        (a) =>
          may.acknowledge_alerts
            ? el("button", { class: "ack", "data-alert": a.id, onclick: (e) => acknowledge(a, e.target) }, t.acknowledge)
            : "",
      ],
    ],
    alerts,
    { class: "alerts-table" },
  );
}

async function acknowledge(alert, button) {
  button.disabled = true;
  try {
    await gql(`mutation($id: ID!) { acknowledgeAlert(id: $id) { id acknowledged } }`, { id: alert.id });
    button.replaceWith(el("span", { class: "muted acknowledged" }, t.acknowledged));
  } catch (error) {
    button.replaceWith(el("span", { class: "error" }, error.message));
  }
}

async function showAlerts() {
  await pagedList(
    document.getElementById("alerts"),
    async (after) =>
      (
        await gql(
          `query($after: String) { alerts(acknowledged: false, first: 20, after: $after) {
             edges { node { ${ALERT_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
          { after },
        )
      ).alerts,
    alertRows,
  );
}

function live() {
  const state = (id) => (on) => (document.getElementById(id).textContent = on ? `● ${t.live}` : `○ ${t.offline}`);
  subscribe(`subscription { alerts { ${ALERT_FIELDS} } }`, {}, ({ alerts }) => {
    const container = document.getElementById("alerts");
    const row = alertRows([alerts]).querySelector("tbody tr");
    row.classList.add("arrived");
    const body = container.querySelector("tbody");
    if (body) body.prepend(row);
    else container.replaceChildren(alertRows([alerts]));
  }, state("alerts-state"));
  subscribe(
    `subscription { events { id sector kind title severity occurredAt unit { name } } }`,
    {},
    ({ events }) => {
      const list = document.getElementById("events");
      list.prepend(
        el("li", { class: "event" }, `${when(events.occurredAt)} · ${events.sector} · ${events.title || events.kind}`, events.unit ? ` · ${events.unit.name}` : ""),
      );
      while (list.children.length > 50) list.lastChild.remove();
    },
    state("events-state"),
  );
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  history.replaceState(null, "", `?${new URLSearchParams(Object.entries(choice()).filter(([, v]) => v))}`);
  showValues();
  if (picked) showSeries(picked);
});

live();
fillChoices().then(showValues).catch((error) => showError(document.getElementById("values"), error));
showAlerts();
