// The console's one way to the hub: GraphQL over HTTP (POST /graphql) and over WebSocket
// (graphql-transport-ws), authenticated by the HttpOnly cookie the sign-in set.

export const t = JSON.parse(document.getElementById("strings").textContent);
export const may = JSON.parse(document.getElementById("may").textContent);

/** The data of one GraphQL operation; throws an Error carrying every message of the response. */
export async function gql(query, variables = {}) {
  const response = await fetch("/graphql", {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors && body.errors.length) {
    throw new Error(body.errors.map((e) => e.message).join("; "));
  }
  return body.data;
}

/** Whether the API offers a field of a root type (Query, Mutation, …): a feature may be newer
 * than the hub serving the page. */
export async function hasField(type, name) {
  const data = await gql(`query($type: String!) { __type(name: $type) { fields { name } } }`, {
    type,
  });
  return Boolean(data.__type && data.__type.fields.some((f) => f.name === name));
}

/** Subscribe to a GraphQL subscription; calls onData with each payload's data and onState
 * with true/false as the socket opens and closes. Returns a function that stops it. */
export function subscribe(query, variables, onData, onState = () => {}) {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
  const socket = new WebSocket(url, "graphql-transport-ws");
  socket.onopen = () => socket.send(JSON.stringify({ type: "connection_init", payload: {} }));
  socket.onmessage = (message) => {
    const frame = JSON.parse(message.data);
    if (frame.type === "connection_ack") {
      socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }));
      onState(true);
    } else if (frame.type === "next" && frame.payload.data) {
      onData(frame.payload.data);
    } else if (frame.type === "ping") {
      socket.send(JSON.stringify({ type: "pong" }));
    }
  };
  socket.onclose = () => onState(false);
  return () => socket.close();
}

/** An element: el("td", {class: "num"}, "12") */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** A table of rows: columns is [[heading, (row) => cell content], …]. */
export function table(columns, rows, attributes = {}) {
  return el(
    "table",
    attributes,
    el("thead", {}, el("tr", {}, columns.map(([heading]) => el("th", {}, heading)))),
    el(
      "tbody",
      {},
      rows.map((row) => el("tr", {}, columns.map(([, cell]) => el("td", {}, cell(row))))),
    ),
  );
}

/** A table of rows already read (an answer that is not a connection), shown ``size`` at a
 * time: a "More" button under it adds the next rows. */
export function pagedTable(columns, rows, attributes = {}, size = 50) {
  const shown = table(columns, rows.slice(0, size), attributes);
  const body = shown.querySelector("tbody");
  let next = size;
  const more = el("button", { type: "button", class: "more" }, t.more);
  more.addEventListener("click", () => {
    for (const row of rows.slice(next, next + size)) {
      body.append(el("tr", {}, columns.map(([, cell]) => el("td", {}, cell(row)))));
    }
    next += size;
    if (next >= rows.length) more.remove();
  });
  return rows.length > size ? el("div", {}, shown, more) : shown;
}

/** Show an error in place of a section's content. */
export function showError(container, error) {
  container.replaceChildren(el("p", { class: "error" }, `${t.error}: ${error.message || error}`));
}

/** A paged list over a Relay connection: load(after) returns the connection; render(nodes)
 * gives the rows to append. A "More" button fetches the next page. */
export async function pagedList(container, load, render) {
  container.replaceChildren(el("p", { class: "muted" }, t.loading));
  let after = null;
  const body = el("div");
  const more = el("button", { class: "more", onclick: () => next() }, t.more);
  async function next() {
    try {
      const connection = await load(after);
      const nodes = connection.edges.map((edge) => edge.node);
      if (after === null) container.replaceChildren(body);
      if (after === null && nodes.length === 0) body.append(el("p", { class: "muted" }, t.none));
      body.append(render(nodes));
      after = connection.pageInfo.endCursor;
      if (connection.pageInfo.hasNextPage) container.append(more);
      else more.remove();
    } catch (error) {
      showError(container, error);
    }
  }
  await next();
}

/** A local date and time, in Vietnam's way of writing them. */
export function when(iso) {
  return iso ? new Date(iso).toLocaleString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh" }) : "";
}

/** A number as a reader expects it (thousands grouped), or an empty cell. */
export function number(value) {
  return value === null || value === undefined ? "" : value.toLocaleString("vi-VN");
}
