/* Autosave of a post's body while the author types: nothing typed is lost when the
 * browser or the tab closes, or the machine sleeps, before "Save".
 *
 * The body (textarea[data-autosave]) is kept in this browser's localStorage, keyed by the
 * admin page (a new post, or post N), on every pause in typing and when the page is hidden.
 * Coming back to the page with text that was never saved puts it back in the textarea, says
 * so, and offers to discard it (back to the saved version). Submitting the form clears it.
 * The server never sees it until the author saves. No inline script (CSP script-src 'self').
 */
(function () {
  "use strict";

  var PREFIX = "dispatch-autosave:";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }  // disabled: no autosave
  }

  function setup(textarea) {
    var store = storage();
    if (!store) { return; }
    var key = PREFIX + window.location.pathname;
    var saved = textarea.value;  // what the server has
    var timer = null;

    function write() {
      if (textarea.value === saved) {
        store.removeItem(key);
        return;
      }
      try {
        store.setItem(key, JSON.stringify({ body: textarea.value, at: new Date().toISOString() }));
      } catch (e) { /* full: the next pause tries again */ }
    }

    function notice(draft) {
      var box = document.createElement("p");
      box.className = "autosave-notice";
      box.setAttribute("role", "status");
      var when = new Date(draft.at);
      box.textContent = "Restored the text you had not saved yet (from " + when.toLocaleString() + "). ";
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "autosave-discard";
      discard.textContent = "Discard it and show the saved version";
      discard.addEventListener("click", function () {
        textarea.value = saved;
        store.removeItem(key);
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
        box.remove();
      });
      box.appendChild(discard);
      var anchor = textarea.closest(".markdown-editor") || textarea;
      anchor.parentNode.insertBefore(box, anchor);
    }

    var draft = null;
    try { draft = JSON.parse(store.getItem(key) || "null"); } catch (e) { draft = null; }
    if (draft && typeof draft.body === "string" && draft.body !== textarea.value) {
      textarea.value = draft.body;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));  // the live preview follows
      notice(draft);
    }

    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(write, 400);
    });
    window.addEventListener("pagehide", write);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { write(); }
    });
    if (textarea.form) {
      textarea.form.addEventListener("submit", function () {
        clearTimeout(timer);
        store.removeItem(key);
      });
    }
  }

  function init() {
    var areas = document.querySelectorAll("textarea[data-autosave]");
    for (var i = 0; i < areas.length; i++) { setup(areas[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
