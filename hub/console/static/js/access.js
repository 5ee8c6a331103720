// Access: the audit log, filtered by actor, action and day, in pages.
import { el, gql, pagedList, t, table, when } from "./api.js";

const form = document.getElementById("audit-filter");

async function showAudit() {
  const f = form.elements;
  const filters = {
    actor: f.actor.value.trim() || null,
    action: f.action.value.trim() || null,
    since: f.since.value ? `${f.since.value}T00:00:00+07:00` : null,
  };
  await pagedList(
    document.getElementById("audit"),
    async (after) =>
      (
        await gql(
          `query($actor: String, $action: String, $since: DateTime, $after: String) {
             auditLog(actor: $actor, action: $action, since: $since, first: 50, after: $after) {
               edges { node { id at actor role via action target client outcome } }
               pageInfo { hasNextPage endCursor } } }`,
          { ...filters, after },
        )
      ).auditLog,
    (entries) =>
      table(
        [
          [t.at, (e) => when(e.at)],
          [t.actor, (e) => e.actor],
          [t.role, (e) => e.role],
          [t.action, (e) => e.action],
          [t.target, (e) => el("code", {}, JSON.stringify(e.target))],
          [t.outcome, (e) => e.outcome],
          ["IP", (e) => e.client ?? ""],
        ],
        entries,
        { class: "audit-table" },
      ),
  );
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  showAudit();
});
showAudit();
