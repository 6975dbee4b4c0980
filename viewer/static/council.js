// The council view's small script: fills in the heat rows once the heat model has run,
// and offers a print button. The page is complete without it (the heat rows then have a
// link to compute them). Pictures that cannot be loaded are handled by their own onerror.
(function () {
  "use strict";

  function lightSpan(cell) {
    if (!cell.light) return null;
    const span = document.createElement("span");
    span.className = "light light-" + cell.light;
    const dot = document.createElement("span");
    dot.className = "light-dot";
    dot.setAttribute("aria-hidden", "true");
    span.append(dot, cell.light_text);
    return span;
  }

  function fill(td, text, raw, light) {
    td.textContent = "";
    const number = document.createElement("span");
    number.className = "number";
    number.textContent = text;
    td.append(number);
    if (light) td.append(" ", light);
    if (raw === null || raw === undefined) td.removeAttribute("data-value");
    else td.dataset.value = String(raw);
  }

  function showHeat(table, rows) {
    for (const row of rows) {
      const tr = table.querySelector('tr[data-indicator="' + row.key + '"]');
      if (!tr) continue;
      const base = tr.querySelector('td[data-kind="base"]');
      fill(base, row.base, row.raw_base, null);
      for (const cell of row.cells) {
        for (const td of tr.querySelectorAll("td[data-ref]")) {
          if (td.dataset.ref !== cell.ref) continue;
          if (td.dataset.kind === "value") fill(td, cell.value, cell.raw_value, lightSpan(cell));
          else fill(td, cell.change, cell.raw_change, null);
        }
      }
    }
  }

  function loadHeat() {
    const table = document.getElementById("indicator-table");
    const status = document.getElementById("heat-status");
    if (!table || !table.dataset.heatUrl || !status) return;
    const group = document.getElementById("group-heat");
    if (group) group.setAttribute("aria-busy", "true");
    fetch(table.dataset.heatUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then((response) => {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then((body) => {
        showHeat(table, body.rows);
        status.textContent = status.dataset.done;
        table.dataset.heat = "loaded";
      })
      .catch(() => {
        for (const td of group ? group.querySelectorAll("td.num") : []) fill(td, "–", null, null);
        status.textContent = status.dataset.failed;
        status.classList.add("failed");
        table.dataset.heat = "failed";
      })
      .finally(() => {
        if (group) group.removeAttribute("aria-busy");
      });
  }

  function offerPrint() {
    // on paper, the versions and edits are shown in full (their <details> opened)
    let opened = [];
    window.addEventListener("beforeprint", () => {
      opened = [...document.querySelectorAll("main details:not([open])")];
      for (const details of opened) details.open = true;
    });
    window.addEventListener("afterprint", () => {
      for (const details of opened) details.open = false;
      opened = [];
    });
    const button = document.getElementById("council-print");
    if (!button) return;
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }

  offerPrint();
  loadHeat();
})();
