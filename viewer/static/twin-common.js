/*
 * What every page script of a twin shares: the page's JSON config (#twin-config), the
 * current language and its texts, building DOM nodes, numbers in the page's language,
 * and JSON requests to the twin's own APIs (with the session's CSRF token when a
 * logged-in person writes). Exposed as window.TwinCommon; no dependencies.
 *
 * Page modules talk through two document events: "twin:map" (detail: {map, loaded})
 * once the map and its layers are drawn, and "twin:lang" (detail: {lang}) when the
 * language switches. onMap(callback) also calls back if the map is there already.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("twin-config").textContent);
  const state = { lang: config.lang, map: null, loaded: null };

  const text = (key) => {
    const value = config.texts[state.lang][key];
    if (value === undefined) throw new Error(`no text ${key}`);
    return value;
  };

  /** A DOM node: attributes (text → textContent, on* → listeners) and children. */
  function element(tag, attributes, children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name.startsWith("on") && typeof value === "function") {
        node.addEventListener(name.slice(2), value);
      } else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach((child) => {
      if (child !== null && child !== undefined) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    });
    return node;
  }

  /** An inline SVG icon from one path (24 × 24 view box), hidden from screen readers. */
  function icon(path, className) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", `icon ${className || ""}`.trim());
    const shape = document.createElementNS(ns, "path");
    shape.setAttribute("d", path);
    svg.appendChild(shape);
    return svg;
  }

  const locale = () => (state.lang === "de" ? "de-DE" : "en-GB");

  /** A number in the page's language with ``digits`` decimals (signed if asked). */
  function number(value, digits, signed) {
    const format = new Intl.NumberFormat(locale(), {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
      signDisplay: signed ? "exceptZero" : "auto",
    });
    return format.format(value).replace("-", "−");
  }

  /** A date and time (UTC ISO text) in the page's language and the browser's zone. */
  function dateTime(iso) {
    return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" })
      .format(new Date(iso));
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : null;
  }

  /**
   * A JSON request to the twin; resolves to the parsed body, rejects with an Error whose
   * message is the API's own (``description``/``detail``) and whose ``status`` is set.
   */
  async function request(url, options) {
    const method = (options && options.method) || "GET";
    const headers = { Accept: "application/json" };
    if (method !== "GET") {
      const token = csrfToken();
      if (token) headers["X-CSRF-Token"] = token;
    }
    let body;
    if (options && options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    const response = await fetch(url, { method, headers, body, credentials: "same-origin" });
    const type = response.headers.get("content-type") || "";
    const data = type.includes("json") ? await response.json() : null;
    if (!response.ok) {
      const detail = data && (data.description || data.detail || data.title);
      const error = new Error(typeof detail === "string" ? detail : `HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  function onMap(callback) {
    if (state.map) callback(state.map, state.loaded);
    else document.addEventListener("twin:map", (event) => callback(event.detail.map, event.detail.loaded));
  }

  function mapReady(map, loaded) {
    state.map = map;
    state.loaded = loaded;
    document.dispatchEvent(new CustomEvent("twin:map", { detail: { map, loaded } }));
  }

  function onLanguage(callback) {
    document.addEventListener("twin:lang", () => callback(state.lang));
  }

  function setLanguage(lang) {
    state.lang = lang;
    document.documentElement.lang = lang;
    document.dispatchEvent(new CustomEvent("twin:lang", { detail: { lang } }));
  }

  /** The label of a {de, en} object in the current language (German as fallback). */
  const label = (labels) => (labels ? labels[state.lang] || labels.de : "");

  window.TwinCommon = {
    config, state, text, label, element, icon, number, dateTime, request,
    onMap, mapReady, onLanguage, setLanguage,
    get lang() { return state.lang; },
  };
})();
