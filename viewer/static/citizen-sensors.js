/*
 * Live sensor values on the citizen map, from the twin's SensorThings API (only public
 * datastreams are visible there): one marker per datastream with its newest value, unit
 * and time, and a small chart of the last observations (up to 48) with the quality flag,
 * opened by clicking or focusing the marker or its entry in the "Messwerte" list. The
 * values refresh every minute (twin demo --live feeds new ones). #twin-app[data-sensors]
 * is "ready" once the markers are on the map.
 */
(function () {
  "use strict";

  const { config, text, element, icon, number, dateTime } = window.TwinCommon;
  const settings = config.citizen;
  if (!settings) return;
  const app = document.getElementById("twin-app");
  const list = document.getElementById("sensor-list");
  const REFRESH_MS = 60_000;
  const HISTORY = 48;

  const ICONS = {
    air_temperature: "M14 14.8V5a2 2 0 0 0-4 0v9.8a4 4 0 1 0 4 0zM12 3a2 2 0 0 1 2 2",
    soil_moisture: "M12 3s-6 7-6 11a6 6 0 0 0 12 0c0-4-6-11-6-11z",
    water_level: "M3 10c2-2 4-2 6 0s4 2 6 0 4-2 6 0M3 15c2-2 4-2 6 0s4 2 6 0 4-2 6 0M3 20c2-2 4-2 6 0s4 2 6 0 4-2 6 0",
    bicycle_counter: "M5 18a3 3 0 1 0 0-.01M19 18a3 3 0 1 0 0-.01M5 18l4-8h6l4 8M9 10l3 8 3-8M13 6h3",
    other: "M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM12 2v3M12 19v3M2 12h3M19 12h3",
  };

  const sensors = new Map(); // datastream id -> {stream, marker, button, observations}
  let popup = null;

  function url() {
    const expand = `Thing/Locations,ObservedProperty,Observations($orderby=phenomenonTime desc;$top=${HISTORY})`;
    return `${settings.sta}Datastreams?$expand=${encodeURIComponent(expand)}&$top=1000`;
  }

  async function fetchStreams() {
    const streams = [];
    let next = url();
    while (next) {
      const page = await window.TwinCommon.request(next);
      streams.push(...page.value);
      next = page["@iot.nextLink"] || null;
    }
    return streams;
  }

  const kindOf = (stream) => (stream.Thing && stream.Thing.properties && stream.Thing.properties.kind) || "other";
  const unitOf = (stream) => (stream.unitOfMeasurement && stream.unitOfMeasurement.symbol) || "";

  function location(stream) {
    const places = (stream.Thing && stream.Thing.Locations) || [];
    const geometry = places.length ? places[0].location : null;
    return geometry && geometry.type === "Point" ? geometry.coordinates : null;
  }

  function digits(observations) {
    const values = observations.map((o) => o.result).filter((v) => typeof v === "number");
    return values.every((v) => Number.isInteger(v)) ? 0 : 1;
  }

  function valueText(stream, observation, places) {
    if (!observation || typeof observation.result !== "number") return "–";
    const unit = unitOf(stream);
    return `${number(observation.result, places)}${unit ? `\u202f${unit}` : ""}`;
  }

  function qualityText(flags) {
    if (!flags) return text("qa_unknown");
    return flags.split(",").map((flag) => {
      const key = `qa_${flag.trim()}`;
      return key in config.texts.de ? text(key) : flag;
    }).join(", ");
  }

  /** A line chart of the observations (oldest left), as an accessible SVG image. */
  function chart(stream, observations) {
    const ns = "http://www.w3.org/2000/svg";
    const points = observations
      .filter((o) => typeof o.result === "number")
      .map((o) => ({ t: Date.parse(o.phenomenonTime), v: o.result, ok: !o.resultQuality || o.resultQuality === "ok" }))
      .sort((a, b) => a.t - b.t);
    const width = 280, height = 120, left = 40, right = 8, top = 10, bottom = 22;
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("class", "sensor-chart");
    svg.setAttribute("role", "img");
    if (points.length < 2) {
      svg.setAttribute("aria-label", text("sensor_no_history"));
      return svg;
    }
    const places = digits(observations);
    const values = points.map((p) => p.v);
    let low = Math.min(...values), high = Math.max(...values);
    if (high - low < 1e-9) { low -= 1; high += 1; }
    const t0 = points[0].t, t1 = points[points.length - 1].t;
    const x = (t) => left + ((t - t0) / Math.max(t1 - t0, 1)) * (width - left - right);
    const y = (v) => top + (1 - (v - low) / (high - low)) * (height - top - bottom);
    const hours = Math.round((t1 - t0) / 3_600_000);
    const unit = unitOf(stream);
    svg.setAttribute("aria-label", text("sensor_chart_label")
      .replace("{hours}", String(hours))
      .replace("{min}", `${number(Math.min(...values), places)} ${unit}`)
      .replace("{max}", `${number(Math.max(...values), places)} ${unit}`));
    const add = (tag, attributes, content) => {
      const node = document.createElementNS(ns, tag);
      Object.entries(attributes).forEach(([k, v]) => node.setAttribute(k, v));
      if (content) node.textContent = content;
      svg.appendChild(node);
      return node;
    };
    add("rect", { x: left, y: top, width: width - left - right, height: height - top - bottom, class: "chart-area" });
    [low, high].forEach((v) => {
      add("text", { x: left - 4, y: y(v) + 4, "text-anchor": "end", class: "chart-label" }, number(v, places));
    });
    const short = (t) => new Intl.DateTimeFormat(window.TwinCommon.lang === "de" ? "de-DE" : "en-GB",
      { day: "numeric", month: "numeric", hour: "2-digit", minute: "2-digit" }).format(new Date(t));
    add("text", { x: left, y: height - 6, class: "chart-label" }, short(t0));
    add("text", { x: width - right, y: height - 6, "text-anchor": "end", class: "chart-label" }, short(t1));
    add("polyline", {
      points: points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(" "),
      class: "chart-line",
    });
    points.filter((p) => !p.ok).forEach((p) => add("circle", { cx: x(p.t), cy: y(p.v), r: 3, class: "chart-flag" }));
    const last = points[points.length - 1];
    add("circle", { cx: x(last.t), cy: y(last.v), r: 3.5, class: "chart-last" });
    return svg;
  }

  function details(entry) {
    const { stream, observations } = entry;
    const latest = observations[0];
    const places = digits(observations);
    const rows = [
      [text("sensor_value"), valueText(stream, latest, places)],
      [text("sensor_time"), latest ? dateTime(latest.phenomenonTime) : "–"],
      [text("sensor_quality"), latest ? qualityText(latest.resultQuality) : "–"],
    ];
    return element("div", { class: "popup sensor-popup" }, [
      element("h3", { text: stream.name }),
      element("dl", { class: "sensor-facts" }, rows.flatMap(([k, v]) => [element("dt", { text: k }), element("dd", { text: v })])),
      element("p", { class: "chart-caption", text: text("sensor_history") }),
      chart(stream, observations),
    ]);
  }

  function open(entry, map) {
    if (popup) popup.remove();
    popup = new maplibregl.Popup({ maxWidth: "320px", offset: 18, closeButton: true, focusAfterOpen: false })
      .setLngLat(entry.lngLat)
      .setDOMContent(details(entry))
      .addTo(map);
  }

  function label(entry) {
    const latest = entry.observations[0];
    const value = valueText(entry.stream, latest, digits(entry.observations));
    const when = latest ? dateTime(latest.phenomenonTime) : "";
    return `${entry.stream.name}: ${value}${when ? `, ${when}` : ""}`;
  }

  function renderMarker(entry) {
    const latest = entry.observations[0];
    const flagged = latest && latest.resultQuality && latest.resultQuality !== "ok";
    entry.button.className = `sensor-marker kind-${kindOf(entry.stream)}${flagged ? " flagged" : ""}`;
    entry.button.replaceChildren(
      icon(ICONS[kindOf(entry.stream)] || ICONS.other),
      element("span", { text: valueText(entry.stream, latest, digits(entry.observations)) }),
    );
    entry.button.setAttribute("aria-label", label(entry));
    entry.button.title = entry.stream.name;
  }

  function renderList(map) {
    if (!list) return;
    list.replaceChildren(...[...sensors.values()].map((entry) => {
      const latest = entry.observations[0];
      const button = element("button", {
        type: "button", class: "sensor-item", "data-datastream": entry.stream["@iot.id"],
        onclick: () => { map.easeTo({ center: entry.lngLat }); open(entry, map); },
      }, [
        icon(ICONS[kindOf(entry.stream)] || ICONS.other),
        element("span", { class: "sensor-name", text: entry.stream.name }),
        element("strong", { text: valueText(entry.stream, latest, digits(entry.observations)) }),
      ]);
      return element("li", {}, [button]);
    }));
  }

  async function refresh(map) {
    let streams;
    try {
      streams = await fetchStreams();
    } catch (error) {
      if (list) list.replaceChildren(element("li", { class: "muted", text: `${text("sensor_failed")} (${error.message})` }));
      return;
    }
    streams.forEach((stream) => {
      const lngLat = location(stream);
      if (!lngLat) return;
      const id = stream["@iot.id"];
      let entry = sensors.get(id);
      if (!entry) {
        const button = element("button", { type: "button", "data-datastream": id });
        entry = { stream, lngLat, button, observations: [] };
        button.addEventListener("click", (event) => { event.stopPropagation(); open(entry, map); });
        button.addEventListener("focus", () => open(entry, map));
        entry.marker = new maplibregl.Marker({ element: button, anchor: "bottom" }).setLngLat(lngLat).addTo(map);
        sensors.set(id, entry);
      }
      entry.stream = stream;
      entry.observations = stream.Observations || [];
      renderMarker(entry);
    });
    renderList(map);
    app.dataset.sensors = "ready";
  }

  window.TwinCommon.onMap((map) => {
    refresh(map);
    window.setInterval(() => refresh(map), REFRESH_MS);
    window.TwinCommon.onLanguage(() => {
      sensors.forEach(renderMarker);
      renderList(map);
      if (popup) popup.remove();
    });
  });
})();
