// The units as points on their bundled coordinates (no map tiles): an SVG, coloured by value
// in five classes of equal count, grey where nothing was reported.
import { el, number, t } from "./api.js";

const SVG = "http://www.w3.org/2000/svg";
const COLOURS = ["#fee391", "#fec44f", "#fe9929", "#d95f0e", "#993404"];

function svg(tag, attributes = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  return node;
}

/** The upper bounds of up to five classes holding as many units each (fewer when values
 * repeat: one bound is one class). */
function classes(values) {
  const sorted = values.filter((v) => v !== null).sort((a, b) => a - b);
  const bounds = COLOURS.map((_, i) => sorted[Math.min(sorted.length - 1, Math.ceil(((i + 1) * sorted.length) / COLOURS.length) - 1)]);
  return [...new Set(bounds.filter((bound) => bound !== undefined))];
}

export function drawMap(container, legend, values, onPick) {
  const placed = values.filter((v) => v.unit.lat !== null && v.unit.lon !== null);
  if (!placed.length) {
    container.replaceChildren(el("p", { class: "muted" }, t.none));
    legend.replaceChildren();
    return;
  }
  const lats = placed.map((v) => v.unit.lat);
  const lons = placed.map((v) => v.unit.lon);
  const [south, north, west, east] = [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)];
  const shrink = Math.cos((((south + north) / 2) * Math.PI) / 180); // a degree of longitude is shorter
  const width = Math.max((east - west) * shrink, 0.01);
  const height = Math.max(north - south, 0.01);
  const pad = Math.max(width, height) * 0.05;
  const map = svg("svg", { viewBox: `${-pad} ${-pad} ${width + 2 * pad} ${height + 2 * pad}`, id: "map-svg" });
  const radius = Math.max(width, height) / 90;
  const bounds = classes(placed.map((v) => v.value));
  for (const v of placed) {
    const index = v.value === null ? -1 : bounds.findIndex((bound) => v.value <= bound);
    const point = svg("circle", {
      cx: (v.unit.lon - west) * shrink,
      cy: north - v.unit.lat,
      r: radius,
      fill: index < 0 ? "#3a4654" : COLOURS[index],
      "data-unit": v.unit.code,
    });
    if (index < 0) point.classList.add("empty");
    const title = svg("title");
    title.textContent = `${v.unit.name}: ${v.value === null ? "—" : number(v.value)}`;
    point.append(title);
    point.addEventListener("click", () => onPick(v.unit));
    map.append(point);
  }
  container.replaceChildren(map);
  legend.replaceChildren(
    ...bounds.map((bound, i) => el("span", {}, el("i", { style: `background:${COLOURS[i]}` }), ` ≤ ${number(bound)}`)),
    el("span", {}, el("i", { style: "background:#3a4654" }), " —"),
  );
}
