/*
 * Drawing points, lines and areas on a MapLibre map, for contributions and "what if" edits.
 *
 * A DrawSession holds one person's shape in the making: arm it for a kind ("point",
 * "line", "polygon"), then tap or click to add vertices, double-tap or "finish" to end,
 * "undo" to take the last vertex back. With strokes (the touch table) a finger drawn
 * across the map is a whole line or area at once (simplified; a crossing outline becomes
 * its convex hull, so the area is always valid). Several sessions can share one map:
 * a DrawRouter hands every pointer (by its pointerId) to one armed session, chosen by
 * ``pick`` (e.g. the one whose panel is nearest), so two people drawing at the same time
 * never mix their shapes. While a stroke is drawn the map does not pan under it; other
 * times it pans and zooms as usual. Exposed as window.TwinDraw.
 */
(function () {
  "use strict";

  const TAP_PX = 8; // a pointer that moved less than this is a tap
  const DOUBLE_TAP_MS = 400;
  const SIMPLIFY_PX = 4;

  /* ---- geometry helpers (screen pixels) ------------------------------------------- */

  function simplify(points, tolerance) {
    if (points.length < 3) return points.slice();
    const [a, b] = [points[0], points[points.length - 1]];
    let worst = 0, index = 0;
    const dx = b.x - a.x, dy = b.y - a.y, length = Math.hypot(dx, dy);
    for (let i = 1; i < points.length - 1; i += 1) {
      const distance = length > 1e-9
        ? Math.abs(dy * points[i].x - dx * points[i].y + b.x * a.y - b.y * a.x) / length
        : Math.hypot(points[i].x - a.x, points[i].y - a.y);
      if (distance > worst) { worst = distance; index = i; }
    }
    if (worst <= tolerance) return [a, b];
    const left = simplify(points.slice(0, index + 1), tolerance);
    return left.slice(0, -1).concat(simplify(points.slice(index), tolerance));
  }

  function crosses(p1, p2, p3, p4) {
    const d = (a, b, c) => (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
    const d1 = d(p3, p4, p1), d2 = d(p3, p4, p2), d3 = d(p1, p2, p3), d4 = d(p1, p2, p4);
    return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
  }

  function selfCrossing(ring) {
    const n = ring.length;
    for (let i = 0; i < n; i += 1) {
      for (let j = i + 2; j < n; j += 1) {
        if (i === 0 && j === n - 1) continue; // neighbours through the closing edge
        if (crosses(ring[i], ring[(i + 1) % n], ring[j], ring[(j + 1) % n])) return true;
      }
    }
    return false;
  }

  function convexHull(points) {
    const sorted = points.slice().sort((a, b) => a.x - b.x || a.y - b.y);
    const cross = (o, a, b) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
    const half = (list) => {
      const hull = [];
      list.forEach((p) => {
        while (hull.length >= 2 && cross(hull[hull.length - 2], hull[hull.length - 1], p) <= 0) hull.pop();
        hull.push(p);
      });
      hull.pop();
      return hull;
    };
    return half(sorted).concat(half(sorted.slice().reverse()));
  }

  const lngLatOf = (map, point) => {
    const { lng, lat } = map.unproject([point.x, point.y]);
    return [Number(lng.toFixed(7)), Number(lat.toFixed(7))];
  };

  /* ---- one person's drawing ------------------------------------------------------- */

  class DrawSession {
    /**
     * ``options``: id (unique per map), colour, onChange(session), and optionally
     * tapShape(lngLat, kind) → GeoJSON geometry for a single tap (e.g. a default square).
     */
    constructor(map, options) {
      this.map = map;
      this.id = options.id;
      this.colour = options.colour || "#d4380d";
      this.onChange = options.onChange || (() => {});
      this.tapShape = options.tapShape || null;
      this.kind = null;
      this.vertices = [];
      this.finished = null; // GeoJSON geometry once finished
      this.lastTap = null;
      this.source = `draw-${this.id}`;
      this._addLayers();
    }

    get armed() { return this.kind !== null && this.finished === null; }

    _addLayers() {
      const map = this.map;
      if (map.getSource(this.source)) return;
      map.addSource(this.source, { type: "geojson", data: { type: "FeatureCollection", features: [] } });
      const colour = this.colour;
      map.addLayer({ id: `${this.source}-fill`, source: this.source, type: "fill",
        filter: ["==", ["geometry-type"], "Polygon"],
        paint: { "fill-color": colour, "fill-opacity": 0.25 } });
      const lines = ["in", ["geometry-type"], ["literal", ["LineString", "Polygon"]]];
      map.addLayer({ id: `${this.source}-line`, source: this.source, type: "line",
        filter: ["all", lines, ["==", ["get", "done"], true]],
        layout: { "line-cap": "round", "line-join": "round" },
        paint: { "line-color": colour, "line-width": 4 } });
      map.addLayer({ id: `${this.source}-draft`, source: this.source, type: "line",
        filter: ["all", lines, ["==", ["get", "done"], false]],
        paint: { "line-color": colour, "line-width": 3, "line-dasharray": [2, 1.5] } });
      map.addLayer({ id: `${this.source}-points`, source: this.source, type: "circle",
        filter: ["==", ["geometry-type"], "Point"],
        paint: { "circle-color": "#ffffff", "circle-radius": 6, "circle-stroke-color": colour, "circle-stroke-width": 3 } });
    }

    arm(kind) {
      this.kind = kind;
      this.vertices = [];
      this.finished = null;
      this.render();
    }

    disarm() {
      this.kind = null;
      this.vertices = [];
      this.finished = null;
      this.render();
    }

    /** The finished GeoJSON geometry, or null. */
    geometry() { return this.finished; }

    needed() { return { point: 1, line: 2, polygon: 3 }[this.kind] || 1; }

    addVertex(lngLat) {
      if (!this.armed) return;
      this.vertices.push(lngLat);
      if (this.kind === "point") this.finish();
      else this.render();
    }

    /** A tap at ``point`` (screen pixels): a vertex, or with a double tap the end. */
    tap(point) {
      const now = performance.now();
      const last = this.lastTap;
      this.lastTap = { point, time: now };
      if (last && now - last.time < DOUBLE_TAP_MS && Math.hypot(point.x - last.point.x, point.y - last.point.y) < 24
          && this.vertices.length >= this.needed()) {
        this.finish();
        return;
      }
      const lngLat = lngLatOf(this.map, point);
      if (this.tapShape && this.vertices.length === 0) {
        const shape = this.tapShape(lngLat, this.kind);
        if (shape) { this.finishWith(shape); return; }
      }
      this.addVertex(lngLat);
    }

    /** A finger stroke (screen pixels): a whole line or area. */
    stroke(points) {
      if (!this.armed) return;
      if (this.kind === "point") { this.tap(points[points.length - 1]); return; }
      let simple = simplify(points, SIMPLIFY_PX);
      if (this.kind === "polygon") {
        if (simple.length > 2 && Math.hypot(simple[0].x - simple[simple.length - 1].x, simple[0].y - simple[simple.length - 1].y) < TAP_PX) {
          simple = simple.slice(0, -1);
        }
        if (simple.length < 3) return;
        if (selfCrossing(simple)) simple = convexHull(simple);
        if (simple.length < 3) return;
      }
      this.vertices = simple.map((p) => lngLatOf(this.map, p));
      this.finish();
    }

    undo() {
      if (this.finished) {
        this.finished = null;
        if (this.kind === "point") this.vertices = [];
      } else {
        this.vertices.pop();
      }
      this.render();
    }

    finish() {
      if (!this.kind || this.vertices.length < this.needed()) return null;
      const v = this.vertices;
      const geometry = this.kind === "point"
        ? { type: "Point", coordinates: v[0] }
        : this.kind === "line"
          ? { type: "LineString", coordinates: v.slice() }
          : { type: "Polygon", coordinates: [v.concat([v[0]])] };
      return this.finishWith(geometry);
    }

    finishWith(geometry) {
      this.finished = geometry;
      this.render();
      return geometry;
    }

    render() {
      const features = [];
      if (this.finished) {
        features.push({ type: "Feature", geometry: this.finished, properties: { done: true } });
      } else if (this.vertices.length) {
        const v = this.vertices;
        if (this.kind === "polygon" && v.length >= 3) {
          features.push({ type: "Feature", geometry: { type: "Polygon", coordinates: [v.concat([v[0]])] }, properties: { done: false } });
        } else if (v.length >= 2) {
          features.push({ type: "Feature", geometry: { type: "LineString", coordinates: v }, properties: { done: false } });
        }
        v.forEach((c) => features.push({ type: "Feature", geometry: { type: "Point", coordinates: c }, properties: {} }));
      }
      const source = this.map.getSource(this.source);
      if (source) source.setData({ type: "FeatureCollection", features });
      this.onChange(this);
    }

    remove() {
      [`${this.source}-fill`, `${this.source}-line`, `${this.source}-draft`, `${this.source}-points`].forEach((id) => {
        if (this.map.getLayer(id)) this.map.removeLayer(id);
      });
      if (this.map.getSource(this.source)) this.map.removeSource(this.source);
    }
  }

  /* ---- pointers → sessions -------------------------------------------------------- */

  class DrawRouter {
    /**
     * ``options``: strokes (finger drawing; the map does not pan under a stroke) and
     * pick(point, sessions) → the armed session a pointer starting at ``point`` draws for.
     */
    constructor(map, options) {
      this.map = map;
      this.strokes = Boolean(options && options.strokes);
      this.pick = (options && options.pick) || ((point, sessions) => sessions[0]);
      this.sessions = [];
      this.pointers = new Map(); // pointerId -> {session, points, start}
      this.onStateChange = (options && options.onStateChange) || (() => {});
      const container = map.getCanvasContainer();
      container.addEventListener("pointerdown", (event) => this._down(event), true);
      window.addEventListener("pointermove", (event) => this._move(event), true);
      window.addEventListener("pointerup", (event) => this._up(event, false), true);
      window.addEventListener("pointercancel", (event) => this._up(event, true), true);
      map.on("dblclick", (event) => { if (this.armed().length) event.preventDefault(); });
    }

    add(session) {
      this.sessions.push(session);
      const change = session.onChange;
      session.onChange = (s) => { change(s); this.update(); };
      return session;
    }

    armed() { return this.sessions.filter((s) => s.armed); }

    update() {
      const drawing = this.armed().length > 0;
      if (drawing) this.map.doubleClickZoom.disable();
      else this.map.doubleClickZoom.enable();
      this.map.getCanvasContainer().classList.toggle("drawing", drawing);
      if (window.TwinCommon) window.TwinCommon.state.drawing = drawing; // no popups meanwhile
      this.onStateChange(drawing);
    }

    _point(event) {
      const rect = this.map.getCanvasContainer().getBoundingClientRect();
      return { x: event.clientX - rect.left, y: event.clientY - rect.top };
    }

    _down(event) {
      if (event.button !== undefined && event.button > 0) return;
      if (event.target !== this.map.getCanvas()) return; // a marker or control, not the map
      const armed = this.armed();
      if (!armed.length) return;
      const point = this._point(event);
      const taken = new Set([...this.pointers.values()].map((p) => p.session));
      const free = armed.filter((s) => !taken.has(s));
      if (!free.length) return;
      const session = this.pick(point, free, event) || free[0];
      this.pointers.set(event.pointerId, { session, points: [point], start: performance.now() });
      if (this.strokes) this._hold(true);
    }

    _move(event) {
      const pointer = this.pointers.get(event.pointerId);
      if (!pointer) return;
      pointer.points.push(this._point(event));
    }

    _up(event, cancelled) {
      const pointer = this.pointers.get(event.pointerId);
      if (!pointer) return;
      this.pointers.delete(event.pointerId);
      if (this.strokes && !this.pointers.size) this._hold(false);
      if (cancelled) return;
      const end = this._point(event);
      pointer.points.push(end);
      const first = pointer.points[0];
      const moved = Math.max(...pointer.points.map((p) => Math.hypot(p.x - first.x, p.y - first.y)));
      if (moved < TAP_PX) pointer.session.tap(first);
      else if (this.strokes) pointer.session.stroke(pointer.points);
      // without strokes a drag pans the map, as usual
    }

    _hold(on) {
      const map = this.map;
      ["dragPan", "touchZoomRotate", "touchPitch", "dragRotate"].forEach((name) => {
        if (on) map[name].disable();
        else map[name].enable();
      });
    }
  }

  window.TwinDraw = { DrawSession, DrawRouter, simplify, convexHull, selfCrossing };
})();
