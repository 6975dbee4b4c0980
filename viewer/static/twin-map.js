/*
 * Citizen map of one municipality: the page's panel around the shared map.
 *
 * twin-layers.js draws the public layers; this script makes the map, lists the layers
 * (switchable), shows legend and attribution, opens a popup for a clicked feature, and
 * switches the language in place (German and English texts travel in the page config).
 * The map is exposed as window.twinMap and #twin-app[data-ready] turns "true" once every
 * layer is drawn (used by the tests). The citizen modules (sensors, scenarios,
 * participation) start from TwinCommon.onMap.
 */
(function () {
  "use strict";

  const { config, state, text, element } = window.TwinCommon;
  const app = document.getElementById("twin-app");
  const statusLine = document.getElementById("status");
  const loaded = {}; // layer id -> FeatureCollection
  let layersAdded = false; // the layer list needs the map's layers

  const otherLang = () => (state.lang === "de" ? "en" : "de");

  /* ---- panel: layers, legend, attribution, language -------------------------------- */

  function renderLayerList(map) {
    const list = document.getElementById("layer-list");
    list.replaceChildren();
    config.layers.forEach((layer) => {
      const box = element("input", { type: "checkbox", id: `toggle-${layer.id}`, "data-layer": layer.id });
      box.checked = map.getLayoutProperty(layer.id, "visibility") !== "none";
      box.addEventListener("change", () => {
        window.TwinLayers.styleLayers(layer).forEach((style) => {
          map.setLayoutProperty(style.id, "visibility", box.checked ? "visible" : "none");
        });
        renderAttribution();
      });
      const label = element("label", { for: `toggle-${layer.id}`, text: layer.title[state.lang] });
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
      element("span", { text: c.label[state.lang] }),
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
    document.querySelectorAll("[data-text]").forEach((node) => {
      node.textContent = text(node.dataset.text);
    });
    document.querySelectorAll("[data-text-label]").forEach((node) => {
      node.setAttribute("aria-label", text(node.dataset.textLabel));
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
    url.searchParams.set("lang", state.lang);
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
      element("h3", { text: layer.title[state.lang] }),
      element("table", {}, [element("tbody", {}, rows)]),
    ]);
  }

  /* ---- tabs of the citizen panel (WAI-ARIA tabs: arrows, Home and End move) ---------- */

  function setupTabs() {
    const tabs = [...document.querySelectorAll('[role="tab"]')];
    const select = (tab, focus) => {
      tabs.forEach((other) => {
        const on = other === tab;
        other.setAttribute("aria-selected", String(on));
        other.tabIndex = on ? 0 : -1;
        document.getElementById(other.getAttribute("aria-controls")).hidden = !on;
      });
      if (focus) tab.focus();
    };
    tabs.forEach((tab, index) => {
      tab.addEventListener("click", () => select(tab, false));
      tab.addEventListener("keydown", (event) => {
        const moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
        let next = null;
        if (event.key in moves) next = tabs[(index + moves[event.key] + tabs.length) % tabs.length];
        else if (event.key === "Home") next = tabs[0];
        else if (event.key === "End") next = tabs[tabs.length - 1];
        if (!next) return;
        event.preventDefault();
        select(next, true);
      });
    });
    window.TwinCommon.showTab = (id) => {
      const tab = document.getElementById(id);
      if (tab) select(tab, false);
    };
  }

  /* ---- start ------------------------------------------------------------------------- */

  function start() {
    if (!window.maplibregl) {
      statusLine.textContent = text("vendor_missing");
      return null;
    }
    if (!window.TwinLayers.webglAvailable()) {
      statusLine.textContent = text("webgl_missing");
      return null;
    }
    const map = window.TwinLayers.createMap("map", {
      // keep the municipality clear of the panel on the left when there is room
      fitBoundsOptions: { padding: window.innerWidth > 800 ? { top: 40, bottom: 40, left: 320, right: 40 } : 20 },
    });
    window.twinMap = map;
    map.addControl(new maplibregl.NavigationControl({ visualizePitch: true }), "top-right");
    map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-right");
    const interactive = config.layers.map((layer) => layer.id);

    map.on("load", async () => {
      const adding = window.TwinLayers.addLayers(map, { loaded });
      layersAdded = true;
      applyLanguage(map);
      const failures = await adding;
      renderLegend();
      statusLine.textContent = failures
        .map((f) => `${text("load_failed")}: ${f.layer.title[state.lang]} (${f.message})`)
        .join("; ");
      map.once("idle", () => { app.dataset.ready = "true"; });
      map.triggerRepaint();
      window.TwinCommon.mapReady(map, loaded);
    });

    map.on("click", (event) => {
      if (state.drawing) return; // a click adds a vertex then
      const overlays = (state.overlays || []).filter((id) => map.getLayer(id));
      if (overlays.length && map.queryRenderedFeatures(event.point, { layers: overlays }).length) return;
      const [feature] = layersAdded ? map.queryRenderedFeatures(event.point, { layers: interactive }) : [];
      if (!feature) return;
      const layer = config.layers.find((l) => l.id === feature.layer.id);
      new maplibregl.Popup({ maxWidth: "320px", closeButton: true })
        .setLngLat(event.lngLat)
        .setDOMContent(popupContent(feature, layer))
        .addTo(map);
    });
    map.on("mousemove", (event) => {
      if (state.drawing || !layersAdded) return;
      const layers = interactive.concat((state.overlays || []).filter((id) => map.getLayer(id)));
      map.getCanvas().style.cursor = map.queryRenderedFeatures(event.point, { layers }).length ? "pointer" : "";
    });
    return map;
  }

  setupTabs();
  const map = start();
  window.TwinCommon.onLanguage(() => applyLanguage(map));
  document.getElementById("lang-switch").addEventListener("click", () => {
    window.TwinCommon.setLanguage(otherLang());
  });
})();
