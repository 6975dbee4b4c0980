/*
 * Small overview map on the OGC API HTML pages (items, single feature): draws the
 * page's own features (embedded as GeoJSON in CRS84, #feature-data) on a plain
 * background, zoomed to their extent. No basemap, no requests.
 */
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("feature-data").textContent);
  const container = document.getElementById("feature-map");
  const canvas = document.createElement("canvas");
  if (!data.features.length || !(canvas.getContext("webgl2") || canvas.getContext("webgl"))) {
    container.hidden = true;
    return;
  }

  const bounds = [Infinity, Infinity, -Infinity, -Infinity];
  function extend(coordinates) {
    if (typeof coordinates[0] === "number") {
      bounds[0] = Math.min(bounds[0], coordinates[0]);
      bounds[1] = Math.min(bounds[1], coordinates[1]);
      bounds[2] = Math.max(bounds[2], coordinates[0]);
      bounds[3] = Math.max(bounds[3], coordinates[1]);
    } else {
      coordinates.forEach(extend);
    }
  }
  data.features.forEach((f) => f.geometry && extend(f.geometry.coordinates));

  const map = new maplibregl.Map({
    container,
    style: {
      version: 8,
      sources: { features: { type: "geojson", data } },
      layers: [
        { id: "background", type: "background", paint: { "background-color": "#eef0ea" } },
        { id: "areas", type: "fill", source: "features", filter: ["in", ["geometry-type"], ["literal", ["Polygon", "MultiPolygon"]]],
          paint: { "fill-color": "#3f6fb5", "fill-opacity": 0.35, "fill-outline-color": "#1f3f75" } },
        { id: "lines", type: "line", source: "features", filter: ["in", ["geometry-type"], ["literal", ["LineString", "MultiLineString"]]],
          paint: { "line-color": "#1f3f75", "line-width": 2 } },
        { id: "points", type: "circle", source: "features", filter: ["in", ["geometry-type"], ["literal", ["Point", "MultiPoint"]]],
          paint: { "circle-color": "#3f6fb5", "circle-radius": 5, "circle-stroke-color": "#ffffff", "circle-stroke-width": 1 } },
      ],
    },
    bounds,
    fitBoundsOptions: { padding: 30, maxZoom: 18 },
    attributionControl: false,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  window.featureMap = map;
})();
