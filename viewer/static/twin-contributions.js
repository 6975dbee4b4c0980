/*
 * Citizens' contributions on a map, shared by the citizen view and the touch table.
 *
 * Reads the participation API (/{slug}/api/contributions: approved contributions, and the
 * caller's own in any state) into one GeoJSON source drawn by category colour: areas
 * filled, lines and points outlined; the caller's own pending ones dashed and pale with
 * "wird geprüft". submit() posts a new contribution (a GeoJSON Feature). Exposed as
 * window.TwinContributions.
 */
(function () {
  "use strict";

  const { config, request } = window.TwinCommon;
  const PALETTE = ["#2e7d32", "#1565c0", "#c2185b", "#ef6c00", "#00838f", "#6a1b9a", "#5d4037", "#546e7a"];
  const SOURCE = "contributions";
  const LAYERS = [`${SOURCE}-fill`, `${SOURCE}-line`, `${SOURCE}-points`];

  const categories = () => (config.participation && config.participation.categories) || [];

  function colour(categoryId) {
    const index = categories().findIndex((c) => c.id === categoryId);
    return PALETTE[(index < 0 ? categories().length : index) % PALETTE.length];
  }

  function colourExpression() {
    const pairs = categories().flatMap((c) => [c.id, colour(c.id)]);
    return pairs.length ? ["match", ["get", "category"], ...pairs, "#757575"] : "#757575";
  }

  /** Add the contributions source and its layers to ``map`` (once). */
  function addLayers(map) {
    if (map.getSource(SOURCE)) return LAYERS;
    map.addSource(SOURCE, { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    const pending = ["!=", ["get", "state"], "approved"];
    const fillColour = colourExpression();
    map.addLayer({ id: LAYERS[0], source: SOURCE, type: "fill", filter: ["==", ["geometry-type"], "Polygon"],
      paint: { "fill-color": fillColour, "fill-opacity": ["case", pending, 0.12, 0.3] } });
    map.addLayer({ id: LAYERS[1], source: SOURCE, type: "line",
      filter: ["in", ["geometry-type"], ["literal", ["LineString", "Polygon"]]],
      layout: { "line-cap": "round", "line-join": "round" },
      paint: { "line-color": fillColour, "line-width": 3.5, "line-opacity": ["case", pending, 0.6, 1] } });
    map.addLayer({ id: LAYERS[2], source: SOURCE, type: "circle", filter: ["==", ["geometry-type"], "Point"],
      paint: { "circle-color": ["case", pending, "#ffffff", fillColour], "circle-radius": 8,
        "circle-stroke-color": fillColour, "circle-stroke-width": 3 } });
    return LAYERS;
  }

  /** Fetch contributions (``params``: event, category, scenario …) and draw them. */
  async function load(map, params) {
    const url = new URL(config.participation.api, window.location.href);
    Object.entries(Object.assign({ limit: 1000 }, params || {})).forEach(([k, v]) => {
      if (v !== null && v !== undefined) url.searchParams.set(k, v);
    });
    const collection = await request(url.toString());
    collection.features.forEach((feature) => {
      feature.properties = Object.assign({}, feature.properties, { id: feature.id });
    });
    const source = map.getSource(SOURCE);
    if (source) source.setData(collection);
    return collection;
  }

  /** Post a new contribution; resolves to the stored Feature (state "pending"). */
  function submit(feature) {
    return request(config.participation.api, { method: "POST", body: feature });
  }

  /** A coordinate to centre on for any GeoJSON geometry (its first vertex or middle). */
  function anchor(geometry) {
    if (geometry.type === "Point") return geometry.coordinates;
    const ring = geometry.type === "Polygon" ? geometry.coordinates[0].slice(0, -1) : geometry.coordinates;
    const sum = ring.reduce((acc, c) => [acc[0] + c[0], acc[1] + c[1]], [0, 0]);
    return [sum[0] / ring.length, sum[1] / ring.length];
  }

  window.TwinContributions = { addLayers, load, submit, colour, anchor, LAYERS, SOURCE };
})();
