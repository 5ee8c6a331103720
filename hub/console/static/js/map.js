// The units on their bundled coordinates (no map tiles): an SVG, coloured by value in five
// classes of equal count, grey where nothing was reported. The hub bundles no boundaries (no
// shapes of the 2025 communes are published under a licence it may carry), so each unit is
// a circle at its centroid with the unit's real area, on the map's scale: sizes compare
// truly, outlines are not drawn, and the page says so beneath the map (#map-note).
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

const KM_PER_DEGREE = 111.32; // of latitude (the map's vertical scale; longitude is shrunk)

/** The radius, in degrees of latitude, of a circle of ``area`` km² (0 when unknown). */
function areaRadius(area) {
  return area ? Math.sqrt(area / Math.PI) / KM_PER_DEGREE : 0;
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
  const reach = Math.max(0, ...placed.map((v) => areaRadius(v.unit.areaKm2)));
  const pad = Math.max(width, height) * 0.05 + reach;
  const map = svg("svg", { viewBox: `${-pad} ${-pad} ${width + 2 * pad} ${height + 2 * pad}`, id: "map-svg", "data-drawn": "centroids" });
  const smallest = Math.max(width, height) / 200; // still visible, still clickable
  const bounds = classes(placed.map((v) => v.value));
  // The largest first, so that a small unit lying inside a large one's circle stays on top.
  const byArea = [...placed].sort((a, b) => (b.unit.areaKm2 ?? 0) - (a.unit.areaKm2 ?? 0));
  for (const v of byArea) {
    const index = v.value === null ? -1 : bounds.findIndex((bound) => v.value <= bound);
    const point = svg("circle", {
      cx: (v.unit.lon - west) * shrink,
      cy: north - v.unit.lat,
      r: Math.max(areaRadius(v.unit.areaKm2), smallest),
      fill: index < 0 ? "#3a4654" : COLOURS[index],
      "fill-opacity": 0.85,
      stroke: "#0d1b2a",
      "stroke-width": 1,
      "vector-effect": "non-scaling-stroke",
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
