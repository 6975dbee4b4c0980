/*
 * The twin's layers on a MapLibre GL map, shared by the citizen map and the touch table.
 *
 * No basemap from the internet: every layer comes from the twin's own OGC API (GeoJSON
 * in CRS84, pages of up to 10,000 features, following "next" links) and is drawn by its
 * kind: land use filled by class colour, streets as lines, trees as circles sized by
 * their crown, districts outlined, buildings extruded to their height and coloured by
 * use. Needs TwinCommon (the page config) and maplibregl. Exposed as window.TwinLayers.
 */
(function () {
  "use strict";

  const config = window.TwinCommon.config;

  function webglAvailable() {
    const canvas = document.createElement("canvas");
    return Boolean(canvas.getContext("webgl2") || canvas.getContext("webgl"));
  }

  /* ---- styling by kind ------------------------------------------------------------ */

  function matchColour(property, classes, fallback) {
    if (!classes.length) return fallback;
    const pairs = classes.flatMap((c) => [c.value, c.colour]);
    return ["match", ["to-string", ["get", property]], ...pairs, fallback];
  }

  function metresToPixels(metres) {
    // Web Mercator at the map's latitude: pixels per metre double with every zoom level.
    const lat = ((config.bounds[1] + config.bounds[3]) / 2) * (Math.PI / 180);
    const perMetreAtZoom0 = 512 / (40075016.686 * Math.cos(lat));
    return [
      "interpolate", ["exponential", 2], ["zoom"],
      0, ["max", 0.5, ["*", metres, perMetreAtZoom0]],
      24, ["max", 0.5, ["*", metres, perMetreAtZoom0 * 2 ** 24]],
    ];
  }

  const numberOr = (property, fallback) => [
    "case", ["==", ["typeof", ["get", property]], "number"], ["get", property], fallback,
  ];

  // The largest positive value among attributes that may hold it (numbers or OSM text).
  function firstPositive(properties, fallback) {
    const value = ["max", ...properties.map((p) => ["to-number", ["get", p], 0])];
    return ["case", [">", value, 0], value, fallback];
  }

  /** The MapLibre style layers of one twin layer (source id = layer id unless given). */
  function styleLayers(layer, sourceId, prefix) {
    const id = `${prefix || ""}${layer.id}`;
    const source = sourceId || layer.id;
    const isWater = /water|gewaesser|gewässer/i.test(layer.id);
    switch (layer.kind) {
      case "landuse":
        return [
          { id, source, type: "fill", paint: {
            "fill-color": matchColour("landuse", config.legend.landuse, "#cfd8c4"),
            "fill-opacity": 0.8 } },
          { id: `${id}-outline`, source, type: "line", paint: {
            "line-color": "#ffffff", "line-width": 0.5, "line-opacity": 0.6 } },
        ];
      case "districts":
        return [
          { id, source, type: "line", paint: {
            "line-color": "#4b3a8c", "line-width": 2.5, "line-dasharray": [3, 2] } },
        ];
      case "streets":
        return [
          { id: `${id}-casing`, source, type: "line", layout: { "line-cap": "round", "line-join": "round" },
            paint: { "line-color": "#8a8a8a", "line-width": ["interpolate", ["linear"], ["zoom"], 12, 1.5, 18, 12] } },
          { id, source, type: "line", layout: { "line-cap": "round", "line-join": "round" },
            paint: { "line-color": "#ffffff", "line-width": ["interpolate", ["linear"], ["zoom"], 12, 0.8, 18, 9] } },
        ];
      case "trees":
        return [
          { id, source, type: "circle", paint: {
            "circle-color": "#2f7d32", "circle-opacity": 0.75,
            "circle-stroke-color": "#1b4d1d", "circle-stroke-width": 0.5,
            "circle-radius": metresToPixels(["/", firstPositive(["crown_diameter_m", "crown_diameter", "diameter_crown"], 6), 2]),
            "circle-pitch-alignment": "map" } },
        ];
      case "buildings":
        return [
          { id, source, type: "fill-extrusion", paint: {
            "fill-extrusion-color": matchColour("use", config.legend.buildings, "#a8a8a8"),
            "fill-extrusion-height": numberOr("height", ["*", 3, numberOr("storeys", 2)]),
            "fill-extrusion-base": 0,
            "fill-extrusion-opacity": 0.92 } },
        ];
      default: {
        const colour = isWater ? "#6fa8dc" : "#8f6f9f";
        if (/polygon/i.test(layer.geometry)) {
          return [{ id, source, type: "fill", paint: { "fill-color": colour, "fill-opacity": 0.6, "fill-outline-color": "#555555" } }];
        }
        if (/line/i.test(layer.geometry)) {
          return [{ id, source, type: "line", paint: { "line-color": colour, "line-width": 2 } }];
        }
        return [{ id, source, type: "circle", paint: { "circle-color": colour, "circle-radius": 5 } }];
      }
    }
  }

  /* ---- data ------------------------------------------------------------------------ */

  async function fetchAll(url) {
    const features = [];
    let next = url;
    while (next) {
      const response = await fetch(next, { headers: { Accept: "application/geo+json" } });
      if (!response.ok) throw new Error(`HTTP ${response.status} for ${next}`);
      const page = await response.json();
      page.features.forEach((feature) => {
        // MapLibre keeps only numeric ids; OSM ids like "way/123" travel as a property.
        feature.properties = Object.assign({ feature_id: feature.id }, feature.properties);
      });
      features.push(...page.features);
      const link = (page.links || []).find((l) => l.rel === "next");
      next = link ? link.href : null;
    }
    return { type: "FeatureCollection", features };
  }

  const EMPTY = () => ({ type: "FeatureCollection", features: [] });

  /* ---- maps ----------------------------------------------------------------------- */

  /** A map of the municipality without any tiles from outside; ``options`` are MapLibre's. */
  function createMap(container, options) {
    return new maplibregl.Map(Object.assign({
      container,
      style: {
        version: 8,
        sources: {},
        layers: [{ id: "background", type: "background", paint: { "background-color": "#eef0ea" } }],
      },
      bounds: config.bounds,
      pitch: 55,
      maxPitch: 75,
      attributionControl: false,
    }, options || {}));
  }

  /**
   * Add every layer of the config to ``map`` (call after its "load"). With ``data`` (layer
   * id → FeatureCollection, e.g. what another map loaded) nothing is fetched; else each
   * layer is fetched and stored in ``loaded``. Resolves to the list of failure messages.
   */
  async function addLayers(map, options) {
    const opts = options || {};
    const loaded = opts.loaded || {};
    config.layers.forEach((layer) => {
      const data = (opts.data && opts.data[layer.id]) || EMPTY();
      map.addSource(layer.id, { type: "geojson", data });
      styleLayers(layer).forEach((style) => map.addLayer(style));
    });
    if (opts.data) return [];
    const failures = [];
    await Promise.all(config.layers.map(async (layer) => {
      try {
        loaded[layer.id] = await fetchAll(layer.items);
        map.getSource(layer.id).setData(loaded[layer.id]);
      } catch (error) {
        failures.push({ layer, message: error.message });
      }
    }));
    return failures;
  }

  /** The start view: the whole municipality, tilted; ``padding`` keeps it clear of panels. */
  function startView(map, padding) {
    map.jumpTo({ pitch: 55, bearing: 0 });
    map.fitBounds(config.bounds, { padding: padding || 20, bearing: 0, duration: 0 });
  }

  window.TwinLayers = { webglAvailable, styleLayers, fetchAll, createMap, addLayers, startView, EMPTY };
})();
