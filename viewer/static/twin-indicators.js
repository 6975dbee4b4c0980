/*
 * Plain-language indicator cards for a scenario or a "what if": "+188 Einwohnerinnen und
 * Einwohner", "1,0 ha neu versiegelt", "Grün je Einwohner: 21 → 20 m²", "Bis zu 0,3 °C
 * kühler an einem heißen Tag". Each card has an icon, a colour and a word for its
 * judgement (favourable or not, by the indicator's direction from scenarios/landuse.py),
 * so colour is never the only cue. Only changes that matter get a card. Shared by the
 * citizen view and the touch table; exposed as window.TwinIndicators.
 */
(function () {
  "use strict";

  const { config, text, element, icon, number } = window.TwinCommon;

  const ICON = {
    residents: "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM5 21a7 7 0 0 1 14 0z",
    dwellings: "M3 11l9-7 9 7v9h-6v-6H9v6H3z",
    jobs: "M4 8h16v11H4zM9 8V5h6v3",
    sealed: "M4 4h16v16H4zM4 12h16M12 4v16",
    land: "M3 20l6-10 4 6 3-4 5 8z",
    green: "M5 19c0-9 6-14 14-14 0 8-5 14-14 14zM5 19l7-7",
    trees: "M12 2l6 9h-4l5 7H5l5-7H6zM11 18h2v4h-2z",
    heat: "M14 14.8V5a2 2 0 0 0-4 0v9.8a4 4 0 1 0 4 0z",
    none: "M5 12h14",
  };

  /** Rows of the processes' "indicators" output or the scenario API → {key: {base, scenario, change}}. */
  function normalise(source) {
    if (Array.isArray(source)) {
      return Object.fromEntries(source.map((row) => [row.indicator, row]));
    }
    const values = {};
    Object.keys(source.change || {}).forEach((key) => {
      values[key] = { base: source.base[key], scenario: source.scenario_values[key], change: source.change[key] };
    });
    return values;
  }

  function judge(key, change) {
    const better = (config.indicators[key] || {}).better;
    if (!better || !change) return "neutral";
    return (change > 0) === (better === "higher") ? "good" : "bad";
  }

  function card(kind, sentence, tone) {
    const word = tone === "good" ? text("card_good") : tone === "bad" ? text("card_bad") : "";
    return element("li", { class: `indicator-card tone-${tone}`, "data-card": kind }, [
      icon(ICON[kind] || ICON.none),
      element("span", { class: "card-text", text: sentence }),
      word ? element("span", { class: "card-tone", text: word }) : null,
    ]);
  }

  const fill = (template, values) => Object.entries(values)
    .reduce((s, [k, v]) => s.replace(`{${k}}`, v), template);

  const decimals = (value) => (Math.abs(value) >= 10 ? 0 : Math.abs(value) >= 0.1 ? 1 : 2);

  /**
   * The cards (list items) for land-use indicators ``landuse`` (either shape, or null)
   * and the heat model's ``heat`` output (summary and districts, or null); heat cards
   * come last unless ``options.heatFirst``.
   */
  function cards(landuse, heat, options) {
    const out = [];
    const heatCards = [];
    if (landuse) {
      const v = normalise(landuse);
      const change = (key) => (v[key] && typeof v[key].change === "number" ? v[key].change : 0);
      [["residents", "card_residents"], ["dwellings", "card_dwellings"], ["jobs", "card_jobs"], ["trees", "card_trees"]]
        .forEach(([key, template]) => {
          const c = Math.round(change(key));
          if (Math.abs(c) >= 1) out.push(card(key, fill(text(template), { change: number(c, 0, true) }), judge(key, c)));
        });
      const sealed = change("sealed_ha");
      if (Math.abs(sealed) >= 0.005) {
        out.push(card("sealed", fill(text(sealed > 0 ? "card_sealed_more" : "card_sealed_less"),
          { value: number(Math.abs(sealed), decimals(sealed)) }), judge("sealed_ha", sealed)));
      }
      const take = change("land_take_ha");
      if (take >= 0.005) out.push(card("land", fill(text("card_land_take"), { value: number(take, decimals(take)) }), judge("land_take_ha", take)));
      const green = change("green_ha");
      if (Math.abs(green) >= 0.005) {
        out.push(card("green", fill(text("card_green"), { change: number(green, decimals(green), true) }), judge("green_ha", green)));
      }
      [["green_per_resident_m2", "card_green_per_resident", 0], ["green_walk_share", "card_green_walk", 0]].forEach(([key, template, digits]) => {
        const row = v[key];
        if (!row || typeof row.base !== "number" || typeof row.scenario !== "number") return;
        const from = number(row.base, digits), to = number(row.scenario, digits);
        if (from === to && Math.abs(change(key)) < 0.5) return;
        const shown = from === to ? { base: number(row.base, 1), scenario: number(row.scenario, 1) } : { base: from, scenario: to };
        out.push(card("green", fill(text(template), shown), judge(key, change(key))));
      });
    }
    if (heat && heat.summary) {
      const { max_cooling_k: cooling, max_warming_k: warming } = heat.summary;
      if (cooling >= 0.01) heatCards.push(card("heat", fill(text("card_heat_cooler"), { value: number(cooling, decimals(cooling)) }), "good"));
      if (warming >= 0.01) heatCards.push(card("heat", fill(text("card_heat_warmer"), { value: number(warming, decimals(warming)) }), "bad"));
      const districts = (heat.districts || []).filter((d) => typeof d.mean_change_k === "number");
      const most = districts.sort((a, b) => Math.abs(b.mean_change_k) - Math.abs(a.mean_change_k))[0];
      if (most && Math.abs(most.mean_change_k) >= 0.01) {
        heatCards.push(card("heat", fill(text("card_heat_district"), {
          district: most.name, change: number(most.mean_change_k, decimals(most.mean_change_k), true),
        }), most.mean_change_k < 0 ? "good" : "bad"));
      }
      if (cooling < 0.01 && warming < 0.01) heatCards.push(card("heat", text("card_heat_none"), "neutral"));
    }
    const all = options && options.heatFirst ? heatCards.concat(out) : out.concat(heatCards);
    if (!all.length) all.push(card("none", text("card_nothing"), "neutral"));
    return all;
  }

  window.TwinIndicators = { cards, normalise };
})();
