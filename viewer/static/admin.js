/*
 * Administration view: sends the page's small forms to the JSON APIs and refreshes.
 *
 * Every form with data-action is handled here: its fields become a JSON body (or the
 * multipart upload) for /{slug}/api/…, sent with the session's CSRF token from
 * <meta name="csrf-token">. After a write the page is fetched again and the regions
 * marked data-region are swapped, so the markup stays in the server template; a message
 * goes to the live region and focus to the section's heading, so keyboard and screen
 * reader users stay where they were. The upload's report and a new token (shown once)
 * are rendered here, outside the swapped regions. Texts come in the page's language.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("admin-config").textContent);
  const text = config.texts;
  const statusLine = document.getElementById("admin-status");
  const errorLine = document.getElementById("admin-error");

  let quiet = null;

  function say(message) {
    errorLine.hidden = true;
    errorLine.textContent = "";
    statusLine.textContent = message;
    window.clearTimeout(quiet);
    if (message) quiet = window.setTimeout(() => (statusLine.textContent = ""), 8000);
  }

  function complain(message) {
    statusLine.textContent = "";
    errorLine.textContent = message;
    errorLine.hidden = false;
  }

  function element(tag, attributes, children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([key, value]) => {
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    });
    (children || []).forEach((child) => node.append(child));
    return node;
  }

  function csrfHeaders() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? { "X-CSRF-Token": meta.content } : {};
  }

  /** POST to the API; resolves to [ok, body] (the body of an error has description and hint). */
  async function post(url, body) {
    const headers = { Accept: "application/json", ...csrfHeaders() };
    const init = { method: "POST", headers, credentials: "same-origin" };
    if (body instanceof FormData) {
      init.body = body;
    } else {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body || {});
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      return [false, { description: String(error) }];
    }
    let answer = {};
    try {
      answer = await response.json();
    } catch (error) {
      answer = { description: `${response.status} ${response.statusText}` };
    }
    return [response.ok, answer];
  }

  function problem(answer) {
    if (Array.isArray(answer.detail)) {
      // FastAPI's validation errors: field and message
      return answer.detail.map((d) => `${(d.loc || []).slice(-1)[0]}: ${d.msg}`).join("; ");
    }
    const sentence = (part) => (/[.!?]$/.test(part) ? part : `${part}.`);
    return [answer.description, answer.hint].filter(Boolean).map(sentence).join(" ");
  }

  /** Fetch the page again and swap the regions named, then focus the section heading. */
  async function refresh(regions, section) {
    const response = await fetch(window.location.href, {
      headers: { Accept: "text/html" },
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    regions.forEach((name) => {
      const old = document.querySelector(`[data-region="${name}"]`);
      const replacement = fresh.querySelector(`[data-region="${name}"]`);
      if (old && replacement) old.replaceWith(document.importNode(replacement, true));
    });
    const heading = section && document.getElementById(`${section}-title`);
    if (heading) heading.focus();
  }

  async function write(url, body, regions, section) {
    const [ok, answer] = await post(url, body);
    if (!ok) {
      complain(`${text.admin_failed} ${problem(answer)}`);
      return null;
    }
    await refresh(regions, section);
    say(text.admin_saved);
    return answer;
  }

  /* ---- the upload and its report --------------------------------------------------- */

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key] ?? ""));
  }

  function showReport(ok, answer) {
    const box = document.getElementById("upload-report");
    box.replaceChildren();
    box.className = `admin-report ${ok ? "admin-report-ok" : "admin-report-refused"}`;
    box.append(element("p", { class: "admin-report-head", text: ok ? text.admin_upload_done : text.admin_upload_refused }));
    if (!ok) box.append(element("p", { text: problem(answer) }));
    const report = answer.report;
    if (report) {
      const summary = ok ? text.admin_report_summary : text.admin_report_summary_refused;
      box.append(element("p", { text: report.raster ? report.raster : fill(summary, report) }));
      if (report.issues && report.issues.length) {
        const head = element("tr", {}, [
          element("th", { scope: "col", text: text.admin_report_feature }),
          element("th", { scope: "col", text: text.admin_report_problem }),
          element("th", { scope: "col", text: text.admin_report_action }),
        ]);
        const rows = report.issues.map((issue) =>
          element("tr", {}, [
            element("td", {}, [element("code", { text: issue.feature_id })]),
            element("td", { text: issue.problem }),
            element("td", { text: issue.action }),
          ]),
        );
        const table = element("table", { class: "data admin-table" }, [
          element("caption", { text: `${report.layer}: ${text.admin_report_problem}` }),
          element("thead", {}, [head]),
          element("tbody", {}, rows),
        ]);
        box.append(element("div", { class: "table-wrap" }, [table]));
      }
    }
    box.hidden = false;
    box.focus();
  }

  async function upload(form) {
    const layer = form.elements.layer.value;
    const file = form.elements.file.files[0];
    if (!file) {
      complain(text.admin_choose_file);
      form.elements.file.focus();
      return;
    }
    const body = new FormData();
    body.append("file", file, file.name);
    body.append("accept_rejections", form.elements.accept_rejections.checked ? "true" : "false");
    say(text.admin_uploading);
    form.setAttribute("aria-busy", "true");
    const [ok, answer] = await post(`${config.api}/layers/${encodeURIComponent(layer)}/upload`, body);
    form.removeAttribute("aria-busy");
    if (ok) {
      await refresh(["layers"], null);
      say(text.admin_upload_done);
    } else {
      say("");
    }
    showReport(ok, answer);
  }

  function matchAccept(select, input) {
    const option = select.selectedOptions[0];
    input.accept = option ? option.dataset.accept : "";
  }

  /* ---- the forms ------------------------------------------------------------------- */

  const actions = {
    alert(form, value) {
      const url = `${config.api}/alerts/${form.dataset.id}/state`;
      return write(url, { state: value, note: form.elements.note.value }, ["alerts", "sensors"], "alerts");
    },
    moderate(form, value) {
      const reason = form.elements.reason;
      if (value === "hidden" && !reason.value.trim()) {
        reason.setAttribute("aria-invalid", "true");
        complain(text.admin_reason_needed);
        reason.focus();
        return null;
      }
      reason.removeAttribute("aria-invalid");
      return write(form.dataset.url, { state: value, reason: reason.value.trim() }, ["moderation"], "moderation");
    },
    scenario(form, value) {
      const url = `${config.api}/scenarios/${encodeURIComponent(form.dataset.id)}/status`;
      return write(url, { status: value, note: form.elements.note.value }, ["scenarios"], "scenarios");
    },
    upload(form) {
      return upload(form);
    },
    "add-user"(form) {
      const body = {
        name: form.elements.name.value,
        role: form.elements.role.value,
        email: form.elements.email.value,
        password: form.elements.password.value,
      };
      return write(`${config.api}/users`, body, ["users", "audit"], "users").then((answer) => {
        if (answer) form.reset();
      });
    },
    password(form) {
      const url = `${config.api}/users/${encodeURIComponent(form.dataset.name)}/password`;
      return write(url, { password: form.elements.password.value }, ["users", "audit"], "users");
    },
    "disable-user"(form) {
      if (!window.confirm(text.admin_confirm_disable)) return null;
      const url = `${config.api}/users/${encodeURIComponent(form.dataset.name)}/disable`;
      return write(url, {}, ["users", "audit"], "users");
    },
    async "create-token"(form) {
      const body = { name: form.elements.name.value, role: form.elements.role.value };
      const answer = await write(`${config.api}/tokens`, body, ["tokens", "audit"], null);
      if (!answer) return;
      form.reset();
      const box = document.getElementById("new-token");
      const value = document.getElementById("new-token-value");
      value.value = answer.token;
      box.hidden = false;
      value.focus();
      value.select(); // write() announced "saved"; the box's label says it is shown once
    },
    "revoke-token"(form) {
      if (!window.confirm(text.admin_confirm_revoke)) return null;
      return write(`${config.api}/tokens/${form.dataset.id}/revoke`, {}, ["tokens", "audit"], "tokens");
    },
  };

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-action]");
    if (!form || !(form.dataset.action in actions)) return;
    event.preventDefault();
    const button = event.submitter;
    const value = button && button.value;
    const controls = Array.from(form.querySelectorAll("button"));
    controls.forEach((control) => (control.disabled = true));
    try {
      await actions[form.dataset.action](form, value);
    } finally {
      controls.forEach((control) => (control.disabled = false)); // gone if the region was swapped
    }
  });

  const layerSelect = document.getElementById("upload-layer");
  const fileInput = document.getElementById("upload-file");
  if (layerSelect && fileInput) {
    matchAccept(layerSelect, fileInput);
    layerSelect.addEventListener("change", () => matchAccept(layerSelect, fileInput));
  }
  document.documentElement.dataset.adminReady = "true";
})();
