/*
 * Published scenarios in the citizen view: the list from the scenario API (citizens see
 * only published ones), and for the chosen one its description, plain-language indicator
 * cards (land use from /{ref}/indicators, heat from the heat-scenario process on its
 * edits) and the before/after comparison on the map (citizen-compare.js).
 * #twin-app[data-scenarios] is "ready" once the list is there, and the cards list
 * carries data-ready="true" once its numbers are in.
 */
(function () {
  "use strict";

  const { config, text, element, request } = window.TwinCommon;
  const settings = config.citizen;
  if (!settings) return;
  const app = document.getElementById("twin-app");
  const list = document.getElementById("scenario-list");
  const detail = document.getElementById("scenario-detail");
  const cardsList = document.getElementById("indicator-cards");
  const compareButton = document.getElementById("compare-toggle");
  let scenarios = [];
  let current = null; // {record, document, landuse, heat}

  function renderList() {
    if (!scenarios.length) {
      list.replaceChildren(element("li", { class: "muted", text: text("scenarios_none") }));
      return;
    }
    list.replaceChildren(...scenarios.map((s) => element("li", {}, [element("button", {
      type: "button", class: "scenario-item", "data-scenario": s.id,
      "aria-pressed": String(Boolean(current && current.record.id === s.id)),
      onclick: () => choose(s),
    }, [element("span", { text: s.title || s.id })])])));
  }

  function renderCards() {
    if (!current) return;
    cardsList.replaceChildren(...window.TwinIndicators.cards(current.landuse, current.heat));
    cardsList.dataset.ready = current.landuse ? "true" : "false";
  }

  async function heatOf(edits) {
    if (!edits.features.length) return null;
    const answer = await request(settings.processes.heat, {
      method: "POST", body: { inputs: { edits }, response: "document" },
    });
    return { summary: answer.summary.value || answer.summary, districts: answer.districts };
  }

  async function choose(record) {
    current = { record, document: null, landuse: null, heat: null };
    renderList();
    detail.hidden = false;
    document.getElementById("scenario-title").textContent = record.title || record.id;
    document.getElementById("scenario-description").textContent = record.description || "";
    cardsList.replaceChildren(element("li", { class: "muted", text: text("loading") }));
    cardsList.dataset.ready = "false";
    const mine = current;
    try {
      const [document_, landuse] = await Promise.all([
        request(`${settings.scenarios}/${encodeURIComponent(record.id)}`),
        request(`${settings.scenarios}/${encodeURIComponent(record.id)}/indicators`),
      ]);
      if (mine !== current) return;
      current.document = document_;
      current.landuse = landuse;
      renderCards();
      compareButton.disabled = false;
      if (compareButton.getAttribute("aria-pressed") === "true") window.TwinCompare.show(document_);
      else window.TwinCompare.frame(window.TwinCommon.state.map, document_.edits.features);
      current.heat = await heatOf(document_.edits);
      if (mine === current) renderCards();
    } catch (error) {
      if (mine !== current) return;
      if (current.landuse) renderCards();
      else cardsList.replaceChildren(element("li", { class: "muted", text: `${text("scenario_failed")} (${error.message})` }));
    }
  }

  compareButton.addEventListener("click", () => {
    const on = compareButton.getAttribute("aria-pressed") !== "true";
    compareButton.setAttribute("aria-pressed", String(on));
    if (on && current && current.document) {
      window.TwinCompare.show(current.document);
      document.getElementById("compare-divider").focus();
    } else window.TwinCompare.hide();
  });
  document.addEventListener("twin:compare-closed", () => compareButton.setAttribute("aria-pressed", "false"));

  window.TwinCommon.onMap(async () => {
    try {
      scenarios = (await request(settings.scenarios)).scenarios;
    } catch (error) {
      scenarios = [];
    }
    renderList();
    app.dataset.scenarios = "ready";
    window.TwinCommon.onLanguage(() => { renderList(); renderCards(); });
  });
})();
