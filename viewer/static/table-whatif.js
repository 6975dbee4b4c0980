/*
 * The touch table's "what if" palette for one control panel: drop a park, a row of trees
 * or an unsealed square on the map (a tap drops a default-size shape, a finger stroke
 * draws it), and see within a moment what it would do: the heat-scenario and
 * landuse-indicators processes (OGC API Processes, synchronous) run on all of this
 * panel's edits together, and their answer becomes plain-language cards. The round trip
 * is shown ("berechnet in 0,4 s") and kept in data-ms of the cards list. Each panel has
 * its own edits, so two sides of the table try their ideas independently. Exposed as
 * window.TwinWhatIf.
 */
(function () {
  "use strict";

  const { config, text, element, number, request } = window.TwinCommon;
  const settings = config.table;

  const TOOLS = {
    park: { kind: "polygon", edit: { edit: "designate", use: "green" }, colour: "#43a047" },
    trees: { kind: "line", edit: { edit: "plant_trees" }, colour: "#1b5e20" },
    unseal: { kind: "polygon", edit: { edit: "unseal" }, colour: "#c0ca33" },
  };

  /** A square of ``size`` metres (or a line of that length) around ``lngLat``, turned with the map. */
  function defaultShape(tool, lngLat, bearing) {
    const size = settings.sizes_m[tool];
    const [lng, lat] = lngLat;
    const perLat = 1 / 111_320, perLng = 1 / (111_320 * Math.cos((lat * Math.PI) / 180));
    const angle = (-(bearing || 0) * Math.PI) / 180;
    const at = (dx, dy) => {
      const x = dx * Math.cos(angle) - dy * Math.sin(angle);
      const y = dx * Math.sin(angle) + dy * Math.cos(angle);
      return [Number((lng + x * perLng).toFixed(7)), Number((lat + y * perLat).toFixed(7))];
    };
    const h = size / 2;
    if (TOOLS[tool].kind === "line") return { type: "LineString", coordinates: [at(-h, 0), at(h, 0)] };
    return { type: "Polygon", coordinates: [[at(-h, -h), at(h, -h), at(h, h), at(-h, h), at(-h, -h)]] };
  }

  class WhatIf {
    /** ``pane`` is the panel's "what if" tab panel; ``side`` names the map source. */
    constructor(map, pane, side) {
      this.map = map;
      this.pane = pane;
      this.source = `whatif-${side}`;
      this.edits = [];
      this.run = 0;
      this.cards = pane.querySelector(".whatif-cards");
      this.time = pane.querySelector(".whatif-time");
      map.addSource(this.source, { type: "geojson", data: { type: "FeatureCollection", features: [] } });
      const polygon = ["==", ["geometry-type"], "Polygon"];
      map.addLayer({ id: `${this.source}-fill`, source: this.source, type: "fill", filter: polygon,
        paint: { "fill-color": ["get", "colour"], "fill-opacity": 0.75 } });
      map.addLayer({ id: `${this.source}-outline`, source: this.source, type: "line", filter: polygon,
        paint: { "line-color": "#263238", "line-width": 2, "line-dasharray": [2, 1] } });
      map.addLayer({ id: `${this.source}-trees`, source: this.source, type: "line",
        filter: ["==", ["geometry-type"], "LineString"], layout: { "line-cap": "round" },
        paint: { "line-color": ["get", "colour"], "line-width": 12, "line-dasharray": [0, 1.5] } });
    }

    tool(name) { return TOOLS[name]; }

    draw() {
      this.map.getSource(this.source).setData({ type: "FeatureCollection", features: this.edits });
    }

    /** Add an edit of ``tool`` on ``geometry`` and compute the effect of all of them. */
    add(tool, geometry) {
      const spec = TOOLS[tool];
      this.edits.push({
        type: "Feature",
        geometry,
        properties: Object.assign({}, spec.edit, { label: text(`whatif_${tool}`), colour: spec.colour }),
      });
      this.draw();
      return this.compute();
    }

    reset() {
      this.edits = [];
      this.run += 1;
      this.draw();
      this.cards.replaceChildren();
      this.cards.dataset.ready = "false";
      delete this.cards.dataset.ms;
      this.time.textContent = "";
    }

    async compute() {
      const run = (this.run += 1);
      const edits = {
        type: "FeatureCollection",
        features: this.edits.map((f) => ({ type: "Feature", geometry: f.geometry,
          properties: Object.fromEntries(Object.entries(f.properties).filter(([k]) => k !== "colour")) })),
      };
      const body = { inputs: { edits }, response: "document" };
      this.cards.dataset.ready = "false";
      this.cards.replaceChildren(element("li", { class: "muted", text: text("whatif_running") }));
      const started = performance.now();
      try {
        const [heat, landuse] = await Promise.all([
          request(settings.processes.heat, { method: "POST", body }),
          request(settings.processes.landuse, { method: "POST", body }),
        ]);
        if (run !== this.run) return;
        const ms = performance.now() - started;
        const summary = heat.summary && heat.summary.value ? heat.summary.value : heat.summary;
        this.cards.replaceChildren(...window.TwinIndicators.cards(landuse.indicators, { summary, districts: heat.districts }, { heatFirst: true }));
        this.cards.dataset.ms = String(Math.round(ms));
        this.cards.dataset.ready = "true";
        this.time.textContent = text("whatif_time").replace("{seconds}", number(ms / 1000, 1));
      } catch (error) {
        if (run !== this.run) return;
        this.cards.replaceChildren(element("li", { class: "form-status error", text: `${text("whatif_failed")}: ${error.message}` }));
        this.cards.dataset.ready = "error";
      }
    }
  }

  window.TwinWhatIf = { WhatIf, TOOLS, defaultShape };
})();
