// Access: the tokens (issue one — its secret shown once —, list, revoke) and the audit log,
// filtered by actor, action and day, in pages.
import { el, gql, pagedList, t, table, when } from "./api.js";

const tokenForm = document.getElementById("token-form");
const list = (text) => text.split(/[\s,]+/).filter(Boolean);

async function showTokens() {
  await pagedList(
    document.getElementById("tokens"),
    async (after) =>
      (
        await gql(
          `query($after: String) { apiTokens(first: 20, after: $after) {
             edges { node { id name role units sectors prefix expiresAt revokedAt lastUsedAt } }
             pageInfo { hasNextPage endCursor } } }`,
          { after },
        )
      ).apiTokens,
    (tokens) =>
      table(
        [
          ["id", (k) => k.id],
          [t.holder, (k) => k.name],
          [t.role, (k) => k.role],
          [t.unit, (k) => [...k.units, ...k.sectors].join(", ")],
          [t.prefix, (k) => el("code", {}, k.prefix)],
          [t.expires, (k) => when(k.expiresAt)],
          [
            "",
            (k) =>
              k.revokedAt
                ? el("span", { class: "muted" }, `${t.revoked} ${when(k.revokedAt)}`)
                : el("button", { type: "button", class: "revoke", "data-token": k.id, onclick: () => revoke(k) }, t.revoke),
          ],
        ],
        tokens,
        { class: "tokens-table" },
      ),
  );
}

async function revoke(token) {
  try {
    await gql(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: token.id });
  } catch (error) {
    alert(error.message);
  }
  await Promise.all([showTokens(), showAudit()]);
}

tokenForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = tokenForm.elements;
  const shown = document.getElementById("token-secret");
  try {
    const { createApiToken } = await gql(
      `mutation($name: String!, $role: String!, $units: [String!], $sectors: [String!], $days: Int) {
         createApiToken(name: $name, role: $role, units: $units, sectors: $sectors, days: $days) { secret } }`,
      { name: f.name.value.trim(), role: f.role.value, units: list(f.units.value), sectors: list(f.sectors.value), days: f.days.value ? Number(f.days.value) : null },
    );
    shown.replaceChildren(t.secret_once, " ", el("code", { id: "new-secret" }, createApiToken.secret));
    tokenForm.reset();
  } catch (error) {
    shown.replaceChildren(el("span", { class: "error" }, error.message));
  }
  await Promise.all([showTokens(), showAudit()]);
});

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
showTokens();
showAudit();
