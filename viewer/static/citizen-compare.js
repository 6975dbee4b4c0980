/*
 * Before/after comparison of a scenario on the citizen map: a second map ("after") lies
 * over the main one ("before"), clipped at a divider that is dragged with a finger or
 * mouse or moved with the arrow keys (a WAI-ARIA slider). Both maps keep the same
 * camera. The after map shows the public layers as they would be: buildings inside
 * areas that the scenario clears are gone, trees in felling areas too, and the edits
 * are drawn on top (designated areas in their land-use colour, planned building mass
 * as a translucent volume, new trees as rows of dots, unsealed ground light green).
 * Exposed as window.TwinCompare {show(scenario), hide()}.
 */
(function () {
  "use strict";

  const { config, text } = window.TwinCommon;
  if (!config.citizen) return;
  const box = document.getElementById("compare");
  const divider = document.getElementById("compare-divider");
  const STEP = 5, PAGE = 20, STOREY_M = 3;
  let after = null;
  let position = 50; // percent of the map's width where "after" begins
  let syncing = null;

  /* ---- what the scenario changes ------------------------------------------------- */

  function insideRing(point, ring) {
    let inside = false;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
      const [xi, yi] = ring[i], [xj, yj] = ring[j];
      if ((yi > point[1]) !== (yj > point[1]) && point[0] < ((xj - xi) * (point[1] - yi)) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }

  function insidePolygon(point, geometry) {
    const polygons = geometry.type === "Polygon" ? [geometry.coordinates]
      : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    return polygons.some((rings) => insideRing(point, rings[0]) && !rings.slice(1).some((hole) => insideRing(point, hole)));
  }

  function centre(geometry) {
    const ring = geometry.type === "Polygon" ? geometry.coordinates[0]
      : geometry.type === "MultiPolygon" ? geometry.coordinates[0][0]
        : geometry.type === "Point" ? [geometry.coordinates] : geometry.coordinates;
    const sum = ring.reduce((acc, c) => [acc[0] + c[0], acc[1] + c[1]], [0, 0]);
    return [sum[0] / ring.length, sum[1] / ring.length];
  }

  const areaTypes = config.citizen.area_types || {};
  const landuseColours = Object.fromEntries(((config.legend && config.legend.landuse) || []).map((c) => [c.value, c.colour]));
  const buildingColours = Object.fromEntries(((config.legend && config.legend.buildings) || []).map((c) => [c.value, c.colour]));

  function style(edit) {
    const p = edit.properties;
    const type = areaTypes[p.use];
    switch (p.edit) {
      case "designate": {
        const landuse = type ? type.landuse : p.use;
        const height = type ? STOREY_M * (p.storeys || Math.max(1, Math.round((p.gfz || type.gfz) / (p.grz || type.grz)))) : 0;
        return { colour: landuseColours[landuse] || "#9ccc65", height, mass: type ? buildingColours[type.building_use] || "#e6b35a" : null };
      }
      case "add_building":
        return { colour: "#eeeeee", height: p.height_m || STOREY_M * (p.storeys || 3), mass: buildingColours[p.use] || "#e6b35a" };
      case "unseal": return { colour: "#b9dc9c", height: 0 };
      case "seal": return { colour: "#9e9e9e", height: 0 };
      case "remove_buildings": return { colour: "#e0ded8", height: 0 };
      case "remove_trees": return { colour: "#d7ccc8", height: 0 };
      case "plant_trees": return { colour: "#2f7d32", height: 0 };
      default: return { colour: "#ffcc80", height: 0 };
    }
  }

  function afterData(loaded, edits) {
    const clears = edits.filter((e) => ["designate", "remove_buildings", "add_building"].includes(e.properties.edit));
    const fells = edits.filter((e) => e.properties.edit === "remove_trees");
    const data = {};
    config.layers.forEach((layer) => {
      const collection = loaded[layer.id] || window.TwinLayers.EMPTY();
      let removing = [];
      if (layer.kind === "buildings") removing = clears;
      if (layer.kind === "trees") removing = fells;
      data[layer.id] = removing.length ? {
        type: "FeatureCollection",
        features: collection.features.filter((f) => !f.geometry
          || !removing.some((e) => insidePolygon(centre(f.geometry), e.geometry))),
      } : collection;
    });
    return data;
  }

  function editFeatures(edits) {
    return edits.map((edit) => {
      const s = style(edit);
      return {
        type: "Feature",
        geometry: edit.geometry,
        properties: Object.assign({}, edit.properties, { colour: s.colour, height: s.height, mass: s.mass || "" }),
      };
    });
  }

  function addEditLayers(map, edits) {
    map.addSource("edits", { type: "geojson", data: { type: "FeatureCollection", features: editFeatures(edits) } });
    const polygon = ["==", ["geometry-type"], "Polygon"];
    map.addLayer({ id: "edits-area", source: "edits", type: "fill", filter: polygon,
      paint: { "fill-color": ["get", "colour"], "fill-opacity": 0.85 } });
    map.addLayer({ id: "edits-mass", source: "edits", type: "fill-extrusion",
      filter: ["all", polygon, ["!=", ["get", "mass"], ""]],
      paint: { "fill-extrusion-color": ["get", "mass"], "fill-extrusion-height": ["get", "height"], "fill-extrusion-opacity": 0.45 } });
    map.addLayer({ id: "edits-outline", source: "edits", type: "line", filter: polygon,
      paint: { "line-color": "#263238", "line-width": 2, "line-dasharray": [3, 2] } });
    const trees = ["==", ["get", "edit"], "plant_trees"];
    map.addLayer({ id: "edits-tree-rows", source: "edits", type: "line",
      filter: ["all", trees, ["==", ["geometry-type"], "LineString"]],
      layout: { "line-cap": "round" },
      paint: { "line-color": "#2f7d32", "line-width": 9, "line-dasharray": [0, 1.6] } });
    map.addLayer({ id: "edits-tree-points", source: "edits", type: "circle",
      filter: ["all", trees, ["==", ["geometry-type"], "Point"]],
      paint: { "circle-color": "#2f7d32", "circle-radius": 6 } });
  }

  /* ---- divider ---------------------------------------------------------------------- */

  function place(percent) {
    position = Math.max(0, Math.min(100, percent));
    const width = box.clientWidth;
    const x = (position / 100) * width;
    document.getElementById("map-after").style.clipPath = `inset(0 0 0 ${x}px)`;
    divider.style.left = `${x}px`;
    divider.setAttribute("aria-valuenow", String(Math.round(position)));
    divider.setAttribute("aria-valuetext", text("compare_value").replace("{percent}", String(Math.round(100 - position))));
  }

  divider.addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: -STEP, ArrowDown: -STEP, ArrowRight: STEP, ArrowUp: STEP, PageDown: -PAGE, PageUp: PAGE };
    if (event.key in moves) place(position + moves[event.key]);
    else if (event.key === "Home") place(0);
    else if (event.key === "End") place(100);
    else return;
    event.preventDefault();
  });
  divider.addEventListener("pointerdown", (event) => {
    divider.setPointerCapture(event.pointerId);
    const rect = box.getBoundingClientRect();
    const move = (e) => place(((e.clientX - rect.left) / rect.width) * 100);
    const stop = () => {
      divider.removeEventListener("pointermove", move);
      divider.removeEventListener("pointerup", stop);
      divider.removeEventListener("pointercancel", stop);
    };
    divider.addEventListener("pointermove", move);
    divider.addEventListener("pointerup", stop);
    divider.addEventListener("pointercancel", stop);
    event.preventDefault();
  });
  window.addEventListener("resize", () => { if (!box.hidden) place(position); });

  /* ---- show and hide ---------------------------------------------------------------- */

  function bounds(features) {
    const extent = [Infinity, Infinity, -Infinity, -Infinity];
    const visit = (c) => {
      if (typeof c[0] === "number") {
        extent[0] = Math.min(extent[0], c[0]); extent[1] = Math.min(extent[1], c[1]);
        extent[2] = Math.max(extent[2], c[0]); extent[3] = Math.max(extent[3], c[1]);
      } else c.forEach(visit);
    };
    features.forEach((f) => visit(f.geometry.coordinates));
    return Number.isFinite(extent[0]) ? extent : null;
  }

  /** Bring the edits into view, clear of the panel, with the divider through their middle. */
  function frame(map, features) {
    const extent = bounds(features);
    if (!extent) return;
    const panel = document.querySelector(".panel");
    const left = panel && window.innerWidth > 800 ? panel.getBoundingClientRect().right + 60 : 40;
    const camera = map.cameraForBounds([[extent[0], extent[1]], [extent[2], extent[3]]], {
      padding: { left, right: 80, top: 110, bottom: 60 },
    });
    // cameraForBounds fits a flat view; zoom out a little for the tilted one
    if (camera) map.jumpTo({ center: camera.center, zoom: Math.min(camera.zoom - 0.6, 17) });
    const middle = map.project([(extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2]);
    place((middle.x / boxWidth()) * 100);
  }

  const boxWidth = () => box.clientWidth || window.innerWidth;

  function hide() {
    if (syncing) window.TwinCommon.state.map.off("move", syncing);
    syncing = null;
    if (after) after.remove();
    after = null;
    box.hidden = true;
    box.dataset.ready = "false";
  }

  /** Compare the base with ``scenario`` (its document from the scenario API). */
  function show(scenario) {
    hide();
    const map = window.TwinCommon.state.map;
    const loaded = window.TwinCommon.state.loaded || {};
    if (!map) return;
    const edits = (scenario.edits && scenario.edits.features) || [];
    box.hidden = false;
    frame(map, edits);
    const container = document.getElementById("map-after");
    container.replaceChildren();
    after = window.TwinLayers.createMap(container, {
      interactive: false,
      center: map.getCenter(), zoom: map.getZoom(), pitch: map.getPitch(), bearing: map.getBearing(),
      bounds: undefined,
    });
    after.getCanvas().setAttribute("aria-label", `${text("compare_after")}: ${scenario.title || scenario.id}`);
    syncing = () => after.jumpTo({ center: map.getCenter(), zoom: map.getZoom(), pitch: map.getPitch(), bearing: map.getBearing() });
    map.on("move", syncing);
    const current = after;
    after.on("load", () => {
      if (current !== after) return;
      window.TwinLayers.addLayers(after, { data: afterData(loaded, edits) });
      addEditLayers(after, edits);
      after.once("idle", () => { box.dataset.ready = "true"; });
      after.triggerRepaint();
    });
    place(position);
  }

  document.getElementById("compare-close").addEventListener("click", () => {
    hide();
    document.dispatchEvent(new CustomEvent("twin:compare-closed"));
  });

  window.TwinCompare = { show, hide, place, frame, get position() { return position; }, get map() { return after; } };
})();
