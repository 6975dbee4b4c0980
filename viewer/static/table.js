/*
 * The touch table: a full-screen map for a large multi-touch screen lying flat, with one
 * control panel per side of the table (the far one turned around).
 *
 * The map pans, pinches, rotates and tilts under fingers. Each panel has its own drawing
 * session (twin-draw.js); a finger that starts on the map draws for the armed panel
 * nearest to it, so two people draw two shapes at the same time without mixing them.
 * A panel either drafts a proposal (category chips, point/line/area by finger, title and
 * text; sent with source "touch-table" and the event's id, moderated like any web
 * contribution) or tries "what if" measures (table-whatif.js). Nothing is modal: the
 * other panel keeps working whatever one panel does. After the configured time without
 * a touch (?reset=SECONDS) every draft is cleared and the map returns to its start view;
 * a countdown warns during the last seconds. Approved contributions are reloaded every
 * 10 s. #twin-app[data-ready] is "true" once the layers are drawn, data-resets counts
 * the resets (for the tests); window.twinMap and window.twinTable expose the state.
 */
(function () {
  "use strict";

  const { config, state, text, label, element } = window.TwinCommon;
  const settings = config.table;
  const participation = config.participation;
  const app = document.getElementById("twin-app");
  const statusLine = document.getElementById("status");
  const warning = document.getElementById("reset-warning");
  const COLOURS = { 1: "#d4380d", 2: "#6a1b9a" };
  const RELOAD_MS = 10_000;

  /* ---- one side's control panel ----------------------------------------------------- */

  class Panel {
    constructor(map, router, node) {
      this.map = map;
      this.node = node;
      this.side = node.dataset.side;
      this.purpose = "contribute";
      this.category = null;
      this.tool = null; // "what if" tool while armed for it
      this.status = node.querySelector(".form-status");
      this.hint = node.querySelector(".draw-hint");
      this.whatifHint = node.querySelector(".whatif-hint");
      this.title = node.querySelector("input[name=title]");
      this.body = node.querySelector("textarea[name=text]");
      this.session = router.add(new window.TwinDraw.DrawSession(map, {
        id: `side-${this.side}`,
        colour: COLOURS[this.side] || "#d4380d",
        onChange: () => this.drawn(),
        tapShape: (lngLat) => (this.purpose === "whatif" && this.tool
          ? window.TwinWhatIf.defaultShape(this.tool, lngLat, map.getBearing()) : null),
      }));
      this.whatif = new window.TwinWhatIf.WhatIf(map, node.querySelector(".table-pane[id$='pane-whatif']"), this.side);
      this.wire();
      this.render();
    }

    wire() {
      const node = this.node;
      node.querySelectorAll('[role="tab"]').forEach((tab) => {
        tab.addEventListener("click", () => this.show(tab.dataset.pane));
      });
      node.querySelectorAll("[data-category]").forEach((chip) => {
        chip.addEventListener("click", () => {
          this.category = this.category === chip.dataset.category ? null : chip.dataset.category;
          this.render();
        });
      });
      node.querySelectorAll("[data-draw]").forEach((button) => {
        button.addEventListener("click", () => {
          this.purpose = "contribute";
          if (this.session.kind === button.dataset.draw && this.session.armed) this.session.disarm();
          else this.session.arm(button.dataset.draw);
        });
      });
      node.querySelectorAll("[data-whatif]").forEach((button) => {
        button.addEventListener("click", () => {
          const tool = button.dataset.whatif;
          if (this.tool === tool && this.session.armed) {
            this.tool = null;
            this.session.disarm();
            return;
          }
          this.purpose = "whatif";
          this.tool = tool;
          this.session.arm(window.TwinWhatIf.TOOLS[tool].kind);
        });
      });
      const actions = {
        undo: () => this.session.undo(),
        finish: () => this.session.finish(),
        clear: () => this.clearDraft(),
        send: () => this.send(),
        "whatif-reset": () => { this.whatif.reset(); this.session.disarm(); },
      };
      node.querySelectorAll("[data-action]").forEach((button) => {
        button.addEventListener("click", () => actions[button.dataset.action]());
      });
      node.querySelector(".table-lang").addEventListener("click", () => {
        window.TwinCommon.setLanguage(state.lang === "de" ? "en" : "de");
      });
      this.title.addEventListener("keydown", (event) => {
        if (event.key === "Enter") { event.preventDefault(); this.body.focus(); }
      });
    }

    show(pane) {
      this.node.querySelectorAll('[role="tab"]').forEach((tab) => {
        const on = tab.dataset.pane === pane;
        tab.setAttribute("aria-selected", String(on));
        tab.tabIndex = on ? 0 : -1;
        document.getElementById(tab.getAttribute("aria-controls")).hidden = !on;
      });
      if (pane !== this.purpose) {
        this.purpose = pane;
        this.tool = null;
        this.session.disarm();
      }
    }

    /** The session changed: a finished "what if" shape becomes an edit. */
    drawn() {
      const s = this.session;
      if (this.purpose === "whatif" && this.tool && s.finished) {
        const tool = this.tool, geometry = s.finished;
        this.tool = null;
        s.disarm(); // calls drawn() again, harmlessly
        this.whatif.add(tool, geometry);
      }
      this.render();
    }

    render() {
      const s = this.session;
      this.node.querySelectorAll("[data-category]").forEach((chip) => {
        chip.setAttribute("aria-pressed", String(chip.dataset.category === this.category));
      });
      this.node.querySelectorAll("[data-draw]").forEach((button) => {
        button.setAttribute("aria-pressed", String(this.purpose === "contribute" && s.kind === button.dataset.draw));
      });
      this.node.querySelectorAll("[data-whatif]").forEach((button) => {
        button.setAttribute("aria-pressed", String(this.purpose === "whatif" && this.tool === button.dataset.whatif));
      });
      this.node.querySelector('[data-action="undo"]').disabled = !s.vertices.length && !s.finished;
      this.node.querySelector('[data-action="finish"]').disabled = !s.armed || s.vertices.length < s.needed();
      if (this.purpose === "contribute") {
        this.hint.textContent = s.finished ? text("draw_done") : s.kind ? text(`table_draw_${s.kind}`) : text("draw_start");
      }
      this.whatifHint.textContent = this.tool ? text(`whatif_hint_${this.tool}`) : text("whatif_intro");
      this.node.dataset.drawing = String(s.armed);
    }

    say(message, kind) {
      this.status.textContent = message;
      this.status.className = `form-status ${kind || ""}`.trim();
      if (message) this.status.scrollIntoView({ block: "nearest" });
    }

    clearDraft() {
      this.session.disarm();
      this.category = null;
      this.title.value = "";
      this.body.value = "";
      this.say("");
      this.render();
    }

    async send() {
      const geometry = this.session.geometry();
      const missing = [];
      if (!geometry) missing.push(text("missing_geometry"));
      if (!this.category) missing.push(text("missing_category"));
      if (this.title.value.trim().length < 3) missing.push(text("missing_title"));
      if (missing.length) {
        this.say(`${text("form_incomplete")}: ${missing.join(", ")}`, "error");
        return;
      }
      const feature = {
        type: "Feature",
        geometry,
        properties: {
          title: this.title.value.trim(),
          text: this.body.value,
          category: this.category,
          source: "touch-table",
          event: participation.event.id,
        },
      };
      const button = this.node.querySelector('[data-action="send"]');
      button.disabled = true;
      try {
        await window.TwinContributions.submit(feature);
        this.clearDraft();
        this.say(text("table_sent"), "ok");
        reloadContributions(this.map);
      } catch (error) {
        this.say(`${text("contribution_failed")}: ${error.message}`, "error");
      } finally {
        button.disabled = !participation.event;
      }
    }

    reset() {
      this.clearDraft();
      this.whatif.reset();
      this.tool = null;
      this.show("contribute");
      this.purpose = "contribute";
      this.render();
    }

    relabel() {
      this.node.querySelectorAll("[data-category]").forEach((chip) => {
        const category = participation.categories.find((c) => c.id === chip.dataset.category);
        chip.textContent = label(category.label);
      });
      const button = this.node.querySelector(".table-lang");
      button.textContent = text("switch_language");
      button.setAttribute("aria-label", text("switch_language_label"));
      this.node.setAttribute("aria-label", text("table_side").replace("{n}", this.side));
      this.render();
    }
  }

  /* ---- contributions, language, inactivity -------------------------------------------- */

  async function reloadContributions(map) {
    try {
      const collection = await window.TwinContributions.load(map);
      if (window.twinTable) window.twinTable.contributions = collection;
    } catch (error) {
      // the table keeps working; the next reload tries again
    }
  }

  function applyLanguage(map, panels) {
    document.querySelectorAll("[data-text]").forEach((node) => { node.textContent = text(node.dataset.text); });
    document.querySelectorAll("[data-text-label]").forEach((node) => {
      node.setAttribute("aria-label", text(node.dataset.textLabel));
    });
    if (map) map.getCanvas().setAttribute("aria-label", text("map_label"));
    panels.forEach((panel) => panel.relabel());
  }

  function renderAttribution() {
    const lines = [...new Set(config.layers.map((layer) => layer.attribution).filter(Boolean))];
    document.getElementById("attribution").textContent = lines.join(" · ");
  }

  /** Reset after ``settings.reset_s`` without input; warn during the last seconds. */
  function watchInactivity(map, panels) {
    let last = performance.now();
    let dirty = false; // anything to reset since the last reset?
    const touched = () => {
      last = performance.now();
      dirty = true;
      warning.hidden = true;
    };
    ["pointerdown", "keydown", "input", "wheel"].forEach((type) => {
      document.addEventListener(type, touched, { capture: true, passive: true });
    });
    const limit = settings.reset_s * 1000;
    const warnFrom = Math.max(0, limit - settings.warning_s * 1000);
    window.setInterval(() => {
      if (!dirty) return;
      const idle = performance.now() - last;
      if (idle >= limit) {
        panels.forEach((panel) => panel.reset());
        document.querySelectorAll(".maplibregl-popup").forEach((popup) => popup.remove());
        window.TwinLayers.startView(map, padding());
        document.activeElement && document.activeElement.blur && document.activeElement.blur();
        warning.hidden = true;
        dirty = false;
        app.dataset.resets = String(Number(app.dataset.resets) + 1);
      } else if (idle >= warnFrom) {
        const seconds = Math.ceil((limit - idle) / 1000);
        warning.textContent = text("reset_warning").replace("{seconds}", String(seconds));
        warning.hidden = false;
      }
    }, 250);
  }

  const padding = () => {
    const panelHeight = Math.min(window.innerHeight * 0.3, 320);
    return window.innerWidth > 900 ? { top: panelHeight * 0.5, bottom: panelHeight * 0.5, left: 40, right: 40 } : 20;
  };

  /** The armed session whose panel is nearest to ``point`` (map pixels = page pixels here). */
  function nearest(panels) {
    return (point, sessions) => {
      const candidates = panels.filter((panel) => sessions.includes(panel.session));
      let best = null, distance = Infinity;
      candidates.forEach((panel) => {
        const rect = panel.node.getBoundingClientRect();
        const dx = Math.max(rect.left - point.x, 0, point.x - rect.right);
        const dy = Math.max(rect.top - point.y, 0, point.y - rect.bottom);
        const d = Math.hypot(dx, dy);
        if (d < distance) { distance = d; best = panel.session; }
      });
      return best;
    };
  }

  function start() {
    if (!window.maplibregl) { statusLine.textContent = text("vendor_missing"); return; }
    if (!window.TwinLayers.webglAvailable()) { statusLine.textContent = text("webgl_missing"); return; }
    const map = window.TwinLayers.createMap("map", { fitBoundsOptions: { padding: padding() }, dragRotate: true, touchPitch: true });
    window.twinMap = map;
    map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-right");
    map.touchZoomRotate.enableRotation();
    const panels = [];
    map.on("load", async () => {
      const adding = window.TwinLayers.addLayers(map, {});
      window.TwinContributions.addLayers(map);
      const router = new window.TwinDraw.DrawRouter(map, { strokes: true, pick: nearest(panels) });
      document.querySelectorAll(".table-panel").forEach((node) => panels.push(new Panel(map, router, node)));
      window.twinTable = { panels, router, contributions: null };
      applyLanguage(map, panels);
      window.TwinCommon.onLanguage(() => applyLanguage(map, panels));
      renderAttribution();
      watchInactivity(map, panels);
      reloadContributions(map);
      window.setInterval(() => reloadContributions(map), RELOAD_MS);
      const failures = await adding;
      statusLine.textContent = failures.map((f) => `${text("load_failed")}: ${label(f.layer.title)}`).join("; ");
      map.once("idle", () => { app.dataset.ready = "true"; });
      map.triggerRepaint();
      window.TwinCommon.mapReady(map, {});
    });
  }

  start();
})();
