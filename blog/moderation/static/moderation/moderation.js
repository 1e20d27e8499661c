// Moderator queue: keyboard moderation (WordPress's keys) and actions through fetch.
// Without this file every action is a plain form post; with it, the same forms are sent
// with fetch and the row updates in place. No inline scripts: the CSP is script-src 'self'.
(function () {
  "use strict";

  const list = document.querySelector(".mod-list");
  const status = document.getElementById("mod-status");
  if (!list) return;

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function rows() {
    return Array.from(list.querySelectorAll("[data-comment-id]"));
  }

  function current() {
    return list.querySelector('[data-comment-id][aria-selected="true"]');
  }

  function select(row) {
    if (!row) return;
    rows().forEach((r) => r.setAttribute("aria-selected", r === row ? "true" : "false"));
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const at = all.indexOf(current());
    const next = at === -1 ? (step > 0 ? 0 : all.length - 1) : Math.min(Math.max(at + step, 0), all.length - 1);
    select(all[next]);
  }

  function say(message, ok) {
    if (!status) return;
    status.textContent = "";
    const p = document.createElement("p");
    p.className = "mod-message " + (ok ? "mod-message-success" : "mod-message-warning");
    p.textContent = message;
    status.appendChild(p);
  }

  function updateCounts(counts) {
    if (!counts) return;
    Object.keys(counts).forEach((key) => {
      document.querySelectorAll('[data-count="' + key + '"]').forEach((el) => {
        el.textContent = counts[key];
      });
    });
  }

  function labelFor(state) {
    return { pending: "Pending", approved: "Approved", spam: "Spam", trash: "Trash" }[state] || state;
  }

  // The row now shows its new state; it stays in place (dimmed) so that undo can bring it back.
  function applyResult(result) {
    if (!result || !result.comment_id || !result.status) return;
    const row = list.querySelector('[data-comment-id="' + result.comment_id + '"]');
    if (!row) return;
    const before = row.dataset.status;
    row.dataset.status = result.status;
    row.classList.remove("mod-status-" + before);
    row.classList.add("mod-status-" + result.status);
    const queue = list.dataset.queue;
    const belongs = queue === "reported" || queue === result.status ||
      (queue === "pending" && result.status === "pending");
    row.classList.toggle("is-moved", !belongs);
    const state = row.querySelector("[data-state]");
    if (state) state.textContent = labelFor(result.status);
    row.querySelectorAll("input[name=expected]").forEach((input) => { input.value = result.status; });
    const actions = {
      pending: ["approve", "spam", "trash"], approved: ["unapprove", "spam", "trash"],
      spam: ["restore", "approve", "trash"], trash: ["restore", "approve", "spam"],
    }[result.status] || [];
    row.querySelectorAll(".mod-actions > form.mod-form").forEach((form) => {
      const button = form.querySelector("[data-action]");
      if (button) form.hidden = actions.indexOf(button.dataset.action) === -1;
    });
    ensureForms(row, actions);
  }

  // A row rendered as pending has no "unapprove" or "restore" form: build them on demand
  // from the first status form, so keys and buttons keep working after a change.
  function ensureForms(row, actions) {
    const template = row.querySelector(".mod-actions > form.mod-form");
    if (!template) return;
    actions.forEach((action) => {
      if (row.querySelector('.mod-actions > form.mod-form [data-action="' + action + '"]')) return;
      const form = template.cloneNode(true);
      form.hidden = false;
      form.setAttribute("action", template.getAttribute("action").replace(/\/[a-z]+\/$/, "/" + action + "/"));
      const button = form.querySelector("[data-action]");
      button.dataset.action = action;
      button.className = "mod-btn mod-btn-" + action;
      button.textContent = action.charAt(0).toUpperCase() + action.slice(1);
      template.parentNode.insertBefore(form, template.parentNode.querySelector("details"));
    });
  }

  async function send(form) {
    // getAttribute: the bulk form has a field named "action", which shadows form.action.
    const response = await fetch(form.getAttribute("action"), {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      credentials: "same-origin",
    });
    let data = {};
    try {
      data = await response.json();
    } catch (e) {
      data = { ok: false, message: "The server answered " + response.status + "." };
    }
    say(data.message || "Done.", data.ok);
    updateCounts(data.counts);
    (data.results && data.results.length ? data.results : [data]).forEach(applyResult);
    return data;
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form.classList.contains("mod-form") || form.classList.contains("mod-bulk") ||
          form.classList.contains("mod-undo-form"))) return;
    event.preventDefault();
    if (form.classList.contains("mod-bulk")) {
      const ids = Array.from(document.querySelectorAll(".mod-check:checked"));
      if (!ids.length) { say("Select comments first (x).", false); return; }
    }
    send(form).then((data) => {
      if (form.classList.contains("mod-bulk") && data.ok) {
        document.querySelectorAll(".mod-check:checked").forEach((c) => { c.checked = false; });
      }
      const details = form.closest("details");
      if (details && data.ok) {
        details.open = false;
        if (form.querySelector("[data-action=reply]")) form.reset();
      }
    }).catch(() => say("Could not reach the server; nothing was changed.", false));
  });

  function actOn(action) {
    const row = current();
    if (!row) return;
    const button = row.querySelector('.mod-actions > form.mod-form:not([hidden]) [data-action="' + action + '"]');
    if (!button) { say("Cannot " + action + " a comment that is " + row.dataset.status + ".", false); return; }
    send(button.form).then((data) => { if (data.ok) move(1); });
  }

  function toggleHelp() {
    const help = document.getElementById("mod-help");
    if (!help) return;
    help.hidden = !help.hidden;
    document.querySelectorAll("[data-help]").forEach((b) => b.setAttribute("aria-expanded", String(!help.hidden)));
  }

  document.querySelectorAll("[data-help]").forEach((b) => b.addEventListener("click", toggleHelp));

  list.addEventListener("click", (event) => {
    const row = event.target.closest("[data-comment-id]");
    if (row && current() !== row) rows().forEach((r) => r.setAttribute("aria-selected", r === row ? "true" : "false"));
  });

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    const keys = {
      j: () => move(1),
      k: () => move(-1),
      a: () => actOn("approve"),
      u: () => actOn("unapprove"),
      s: () => actOn("spam"),
      d: () => actOn("trash"),
      z: () => { const form = document.querySelector(".mod-undo-form"); if (form) send(form); },
      x: () => {
        const box = current() && current().querySelector(".mod-check");
        if (box) box.checked = !box.checked;
      },
      r: () => {
        const row = current();
        const box = row && row.querySelector(".mod-reply-box");
        if (!box) return;
        box.open = true;
        box.querySelector("textarea").focus();
      },
      "?": toggleHelp,
    };
    const handler = keys[event.key];
    if (!handler) return;
    event.preventDefault();
    handler();
  });

  list.dataset.ready = "true";
})();
