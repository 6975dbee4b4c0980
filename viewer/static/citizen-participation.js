/*
 * Participation in the citizen view: draw a point, line or area, describe it, send it.
 *
 * The form (in the "Mitmachen" tab) arms a DrawSession (twin-draw.js): click on the map
 * to add vertices, double-click or "Fertig" to finish, "Rückgängig" to take one back;
 * keyboard users move the map with the arrow keys and set vertices at the map's centre.
 * A sent contribution is pending until the administration approves it: its author sees
 * it marked "wird geprüft", everyone sees it once approved. Clicking a contribution (map
 * or list) shows it with its comments and votes; approved ones take votes and comments.
 * #twin-app[data-contributions] is "ready" after the first load.
 */
(function () {
  "use strict";

  const { config, state, text, label, element, dateTime, request } = window.TwinCommon;
  const participation = config.participation;
  if (!participation) return;
  const app = document.getElementById("twin-app");
  const form = document.getElementById("contribution-form");
  const list = document.getElementById("contribution-list");
  const statusLine = document.getElementById("contribution-status");
  let features = [];
  let session = null;
  let popup = null;
  let selected = null;

  const categoryLabel = (id) => label((participation.categories.find((c) => c.id === id) || {}).label) || id;

  function stateText(props) {
    if (props.state === "pending") return text("state_pending");
    if (props.state === "hidden") return `${text("state_hidden")}${props.reason ? `: ${props.reason}` : ""}`;
    return "";
  }

  /* ---- list and details ------------------------------------------------------------ */

  function renderList(map) {
    if (!list) return;
    if (!features.length) {
      list.replaceChildren(element("li", { class: "muted", text: text("contributions_none") }));
      return;
    }
    list.replaceChildren(...features.map((feature) => {
      const p = feature.properties;
      const badge = stateText(p);
      return element("li", {}, [element("button", {
        type: "button", class: "contribution-item", "data-contribution": feature.id,
        onclick: () => select(map, feature.id, true),
      }, [
        element("span", { class: "swatch", style: `background:${window.TwinContributions.colour(p.category)}`, "aria-hidden": "true" }),
        element("span", { class: "contribution-title", text: p.title }),
        element("span", { class: "muted", text: categoryLabel(p.category) }),
        badge ? element("span", { class: `badge state-${p.state}`, text: badge }) : null,
      ])]);
    }));
  }

  async function reload(map) {
    try {
      const collection = await window.TwinContributions.load(map);
      features = collection.features;
    } catch (error) {
      features = [];
      if (list) list.replaceChildren(element("li", { class: "muted", text: `${text("contributions_failed")} (${error.message})` }));
      app.dataset.contributions = "ready";
      return;
    }
    renderList(map);
    app.dataset.contributions = "ready";
  }

  function voteButtons(map, feature) {
    const p = feature.properties;
    const mine = p.votes.mine;
    const vote = async (value) => {
      const url = `${participation.api}/${feature.id}/vote`;
      try {
        const answer = mine === value
          ? await request(url, { method: "DELETE" })
          : await request(url, { method: "PUT", body: { value } });
        p.votes = answer.votes;
        select(map, feature.id, false);
      } catch (error) {
        showDetailError(error);
      }
    };
    const disabled = p.state !== "approved" || !participation.may_participate;
    return element("div", { class: "votes", role: "group", "aria-label": text("votes") }, [
      element("button", { type: "button", class: "vote-up", "aria-pressed": String(mine === 1), disabled, onclick: () => vote(1) },
        [`${text("vote_up")} (${p.votes.up})`]),
      element("button", { type: "button", class: "vote-down", "aria-pressed": String(mine === -1), disabled, onclick: () => vote(-1) },
        [`${text("vote_down")} (${p.votes.down})`]),
    ]);
  }

  function showDetailError(error) {
    const node = document.querySelector(".contribution-popup .detail-error");
    if (node) node.textContent = error.message;
  }

  function commentForm(map, feature) {
    const input = element("textarea", { id: `comment-${feature.id}`, rows: "2", maxlength: "5000", required: true });
    const send = async (event) => {
      event.preventDefault();
      if (!input.value.trim()) return;
      try {
        await request(`${participation.api}/${feature.id}/comments`, { method: "POST", body: { text: input.value } });
        input.value = "";
        await select(map, feature.id, false, text("comment_sent"));
      } catch (error) {
        showDetailError(error);
      }
    };
    return element("form", { class: "comment-form", onsubmit: send }, [
      element("label", { for: `comment-${feature.id}`, text: text("comment_label") }),
      input,
      element("button", { type: "submit", text: text("comment_send") }),
    ]);
  }

  function details(map, feature, comments, note) {
    const p = feature.properties;
    const badge = stateText(p);
    const scenario = p.scenario ? element("p", { class: "muted", text: `${text("scenario_ref")}: ${p.scenario}` }) : null;
    const commentItems = comments.map((c) => element("li", {}, [
      element("span", { text: c.text }),
      element("small", { class: "muted", text: ` ${dateTime(c.created)}${c.state !== "approved" ? ` · ${c.state === "pending" ? text("state_pending") : text("state_hidden")}` : ""}` }),
    ]));
    return element("div", { class: "popup contribution-popup", "data-contribution": feature.id }, [
      element("h3", { text: p.title }),
      element("p", { class: "muted" }, [`${categoryLabel(p.category)} · ${dateTime(p.created)}`]),
      badge ? element("p", { class: `badge state-${p.state}`, text: badge }) : null,
      p.text ? element("p", { class: "contribution-text", text: p.text }) : null,
      scenario,
      voteButtons(map, feature),
      element("h4", { text: `${text("comments")} (${comments.filter((c) => c.state === "approved").length})` }),
      commentItems.length ? element("ul", { class: "comments" }, commentItems) : null,
      p.state === "approved" && participation.may_participate ? commentForm(map, feature) : null,
      element("p", { class: "detail-note", role: "status", text: note || "" }),
      element("p", { class: "detail-error", role: "alert" }),
    ]);
  }

  async function select(map, id, fly, note) {
    const feature = features.find((f) => f.id === id);
    if (!feature) return;
    selected = id;
    let document_ = null;
    try {
      document_ = await request(`${participation.api}/${id}`);
      Object.assign(feature.properties, document_.properties);
    } catch (error) {
      document_ = { comments: [] };
    }
    const at = window.TwinContributions.anchor(feature.geometry);
    if (fly) map.easeTo({ center: at });
    if (popup) popup.remove();
    popup = new maplibregl.Popup({ maxWidth: "340px", closeButton: true })
      .setLngLat(at)
      .setDOMContent(details(map, feature, document_.comments || [], note))
      .addTo(map);
    popup.on("close", () => { if (selected === id) selected = null; });
    renderList(map);
  }

  /* ---- the form ----------------------------------------------------------------------- */

  function fillSelects() {
    const category = document.getElementById("c-category");
    if (!category) return;
    const chosen = category.value;
    category.replaceChildren(
      element("option", { value: "", text: text("category_choose") }),
      ...participation.categories.map((c) => element("option", { value: c.id, text: label(c.label) })),
    );
    category.value = chosen;
  }

  async function fillScenarios() {
    const select = document.getElementById("c-scenario");
    if (!select || !config.citizen) return;
    try {
      const { scenarios } = await request(config.citizen.scenarios);
      scenarios.forEach((s) => select.appendChild(element("option", { value: s.id, text: s.title || s.id })));
    } catch (error) {
      // the reference is optional: without the list the form works as before
    }
  }

  function hint() {
    const node = document.getElementById("draw-hint");
    if (!node || !session) return;
    if (session.finished) node.textContent = text("draw_done");
    else if (session.kind) node.textContent = `${text(`draw_hint_${session.kind}`)} (${session.vertices.length})`;
    else node.textContent = text("draw_start");
    form.querySelectorAll("[data-draw]").forEach((button) => {
      button.setAttribute("aria-pressed", String(button.dataset.draw === session.kind));
    });
    const drawing = session.armed;
    document.getElementById("draw-centre").disabled = !drawing;
    document.getElementById("draw-undo").disabled = !session.vertices.length && !session.finished;
    document.getElementById("draw-finish").disabled = !drawing || session.vertices.length < session.needed();
    document.getElementById("map-crosshair").hidden = !drawing;
  }

  function say(message, kind) {
    statusLine.textContent = message;
    statusLine.className = `form-status ${kind || ""}`.trim();
    if (message) statusLine.scrollIntoView({ block: "nearest" });
  }

  async function send(map, event) {
    event.preventDefault();
    const geometry = session.geometry();
    const data = new FormData(form);
    const missing = [];
    if (!geometry) missing.push(text("missing_geometry"));
    if (!data.get("category")) missing.push(text("missing_category"));
    if (String(data.get("title") || "").trim().length < 3) missing.push(text("missing_title"));
    if (missing.length) {
      say(`${text("form_incomplete")}: ${missing.join(", ")}`, "error");
      return;
    }
    const feature = {
      type: "Feature",
      geometry,
      properties: {
        title: data.get("title"),
        text: data.get("text") || "",
        category: data.get("category"),
        scenario: data.get("scenario") || null,
        source: "web",
      },
    };
    form.querySelector("button[type=submit]").disabled = true;
    try {
      const stored = await window.TwinContributions.submit(feature);
      form.reset();
      fillSelects();
      session.disarm();
      say(text("contribution_sent"), "ok");
      await reload(map);
      await select(map, stored.id, false);
    } catch (error) {
      say(`${text("contribution_failed")}: ${error.message}`, "error");
    } finally {
      form.querySelector("button[type=submit]").disabled = false;
    }
  }

  function setupForm(map, router) {
    if (!form) return;
    session = router.add(new window.TwinDraw.DrawSession(map, { id: "citizen", colour: "#d4380d", onChange: hint }));
    form.querySelectorAll("[data-draw]").forEach((button) => {
      button.addEventListener("click", () => {
        if (session.kind === button.dataset.draw && session.armed) session.disarm();
        else session.arm(button.dataset.draw);
      });
    });
    document.getElementById("draw-centre").addEventListener("click", () => {
      const { lng, lat } = map.getCenter();
      session.addVertex([Number(lng.toFixed(7)), Number(lat.toFixed(7))]);
    });
    document.getElementById("draw-undo").addEventListener("click", () => session.undo());
    document.getElementById("draw-finish").addEventListener("click", () => session.finish());
    form.addEventListener("submit", (event) => send(map, event));
    fillSelects();
    fillScenarios();
    hint();
  }

  window.TwinCommon.onMap((map) => {
    const layers = window.TwinContributions.addLayers(map);
    state.overlays = (state.overlays || []).concat(layers);
    const router = new window.TwinDraw.DrawRouter(map, { strokes: false });
    setupForm(map, router);
    map.on("click", (event) => {
      if (state.drawing) return;
      const [hit] = map.queryRenderedFeatures(event.point, { layers });
      if (hit) select(map, hit.properties.id, false);
    });
    reload(map);
    window.TwinCommon.onLanguage(() => {
      fillSelects();
      hint();
      renderList(map);
      if (selected !== null) select(map, selected, false);
    });
  });
})();
