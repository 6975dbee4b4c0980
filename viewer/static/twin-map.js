/*
 * Citizen map of one municipality: MapLibre GL without any basemap from the internet.
 *
 * Every public layer is fetched from the twin's own OGC API (GeoJSON in CRS84, pages of
 * up to 10,000 features, following "next" links) and drawn by its kind: land use filled
 * by class colour, streets as lines, trees as circles sized by their crown, districts
 * outlined, buildings extruded to their height and coloured by use. The page's JSON
 * config (#twin-config) carries layers, legend classes and texts in German and English;
 * the language switches in place. The map is exposed as window.twinMap and
 * #twin-app[data-ready] turns "true" once every layer is drawn (used by the tests).
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("twin-config").textContent);
  const app = document.getElementById("twin-app");
  const statusLine = document.getElementById("status");
  let lang = config.lang;
  const loaded = {}; // layer id -> FeatureCollection
  let layersAdded = false; // the layer list needs the map's layers

  const text = (key) => config.texts[lang][key];
  const otherLang = () => (lang === "de" ? "en" : "de");

  function webglAvailable() {
    const canvas = document.createElement("canvas");
    return Boolean(canvas.getContext("webgl2") || canvas.getContext("webgl"));
  }

  function element(tag, attributes, children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => {
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    });
    (children || []).forEach((child) => node.appendChild(child));
    return node;
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

  function styleLayers(layer) {
    const id = layer.id;
    const source = id;
    const isWater = /water|gewaesser|gewässer/i.test(id);
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

  /* ---- panel: layers, legend, attribution, language -------------------------------- */

  function renderLayerList(map) {
    const list = document.getElementById("layer-list");
    list.replaceChildren();
    config.layers.forEach((layer) => {
      const box = element("input", { type: "checkbox", id: `toggle-${layer.id}`, "data-layer": layer.id });
      box.checked = map.getLayoutProperty(layer.id, "visibility") !== "none";
      box.addEventListener("change", () => {
        styleLayers(layer).forEach((style) => {
          map.setLayoutProperty(style.id, "visibility", box.checked ? "visible" : "none");
        });
        renderAttribution();
      });
      const label = element("label", { for: `toggle-${layer.id}`, text: layer.title[lang] });
      list.appendChild(element("li", {}, [box, label]));
    });
  }

  function presentValues(layerKind, property) {
    const values = new Set();
    config.layers.filter((l) => l.kind === layerKind && loaded[l.id]).forEach((l) => {
      loaded[l.id].features.forEach((f) => values.add(String(f.properties[property])));
    });
    return values;
  }

  function legendSection(title, classes, present, swatchClass) {
    const shown = classes.filter((c) => present.has(c.value));
    if (!shown.length) return null;
    const items = shown.map((c) => element("li", {}, [
      element("span", { class: `swatch ${swatchClass}`, style: `background:${c.colour}`, "aria-hidden": "true" }),
      element("span", { text: c.label[lang] }),
    ]));
    return element("div", {}, [element("h3", { text: title }), element("ul", {}, items)]);
  }

  function renderLegend() {
    const legend = document.getElementById("legend");
    legend.replaceChildren();
    const sections = [
      legendSection(text("landuse"), config.legend.landuse, presentValues("landuse", "landuse"), "area"),
      legendSection(text("building_use"), config.legend.buildings, presentValues("buildings", "use"), "block"),
    ];
    sections.filter(Boolean).forEach((section) => legend.appendChild(section));
  }

  function renderAttribution() {
    const visible = config.layers.filter((layer) => {
      const box = document.getElementById(`toggle-${layer.id}`);
      return !box || box.checked;
    });
    const lines = [...new Set(visible.map((layer) => layer.attribution).filter(Boolean))];
    document.getElementById("attribution").textContent = lines.join(" · ");
  }

  function applyLanguage(map) {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-text]").forEach((node) => {
      node.textContent = text(node.dataset.text);
    });
    const button = document.getElementById("lang-switch");
    button.textContent = text("switch_language");
    button.setAttribute("aria-label", text("switch_language_label"));
    button.setAttribute("lang", otherLang());
    if (map) map.getCanvas().setAttribute("aria-label", text("map_label"));
    if (layersAdded) renderLayerList(map);
    renderLegend();
    renderAttribution();
    const url = new URL(window.location.href);
    url.searchParams.set("lang", lang);
    window.history.replaceState(null, "", url);
  }

  /* ---- popup --------------------------------------------------------------------- */

  function popupContent(feature, layer) {
    const rows = Object.entries(feature.properties)
      .filter(([, value]) => value !== null && value !== "")
      .map(([key, value]) => element("tr", {}, [
        element("th", { scope: "row", text: key }),
        element("td", { text: typeof value === "object" ? JSON.stringify(value) : String(value) }),
      ]));
    return element("div", { class: "popup" }, [
      element("h3", { text: layer.title[lang] }),
      element("table", {}, [element("tbody", {}, rows)]),
    ]);
  }

  /* ---- start ------------------------------------------------------------------------- */

  function start() {
    if (!window.maplibregl) {
      statusLine.textContent = text("vendor_missing");
      return null;
    }
    if (!webglAvailable()) {
      statusLine.textContent = text("webgl_missing");
      return null;
    }
    const map = new maplibregl.Map({
      container: "map",
      style: {
        version: 8,
        sources: {},
        layers: [{ id: "background", type: "background", paint: { "background-color": "#eef0ea" } }],
      },
      bounds: config.bounds,
      // keep the municipality clear of the panel on the left when there is room
      fitBoundsOptions: { padding: window.innerWidth > 800 ? { top: 40, bottom: 40, left: 320, right: 40 } : 20 },
      pitch: 55,
      maxPitch: 75,
      attributionControl: false,
    });
    window.twinMap = map;
    map.addControl(new maplibregl.NavigationControl({ visualizePitch: true }), "top-right");
    map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-right");
    const interactive = [];

    map.on("load", async () => {
      config.layers.forEach((layer) => {
        map.addSource(layer.id, { type: "geojson", data: { type: "FeatureCollection", features: [] } });
        styleLayers(layer).forEach((style) => map.addLayer(style));
        interactive.push(layer.id);
      });
      layersAdded = true;
      applyLanguage(map);
      const failures = [];
      await Promise.all(config.layers.map(async (layer) => {
        try {
          loaded[layer.id] = await fetchAll(layer.items);
          map.getSource(layer.id).setData(loaded[layer.id]);
        } catch (error) {
          failures.push(`${text("load_failed")}: ${layer.title[lang]} (${error.message})`);
        }
      }));
      renderLegend();
      statusLine.textContent = failures.join("; ");
      map.once("idle", () => { app.dataset.ready = "true"; });
      map.triggerRepaint();
    });

    const hitsAt = (point) => (interactive.length ? map.queryRenderedFeatures(point, { layers: interactive }) : []);
    map.on("click", (event) => {
      const [feature] = hitsAt(event.point);
      if (!feature) return;
      const layer = config.layers.find((l) => l.id === feature.layer.id);
      new maplibregl.Popup({ maxWidth: "320px", closeButton: true })
        .setLngLat(event.lngLat)
        .setDOMContent(popupContent(feature, layer))
        .addTo(map);
    });
    map.on("mousemove", (event) => {
      map.getCanvas().style.cursor = hitsAt(event.point).length ? "pointer" : "";
    });
    return map;
  }

  const map = start();
  document.getElementById("lang-switch").addEventListener("click", () => {
    lang = otherLang();
    applyLanguage(map);
  });
})();
