/* Live preview of a post's Markdown body in the admin, beside the textarea.
 *
 * The textarea carries data-preview-url (set by PostAdmin); we POST the body there with the
 * form's CSRF token and show the HTML the server renders (Markdown -> nh3 -> embeds), i.e.
 * exactly what readers will get. No inline script: the CSP is script-src 'self'.
 */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setup(textarea) {
    var url = textarea.getAttribute("data-preview-url");
    var wrapper = document.createElement("div");
    wrapper.className = "markdown-editor";
    textarea.parentNode.insertBefore(wrapper, textarea);
    wrapper.appendChild(textarea);

    var panel = document.createElement("div");
    panel.className = "markdown-preview";
    panel.setAttribute("aria-live", "polite");
    panel.setAttribute("aria-label", "Preview");
    var heading = document.createElement("p");
    heading.className = "markdown-preview-label";
    heading.textContent = "Preview";
    var output = document.createElement("div");
    output.className = "markdown-preview-output entry-content";
    panel.appendChild(heading);
    panel.appendChild(output);
    wrapper.appendChild(panel);

    var timer = null;
    var latest = 0;

    function render() {
      var ticket = ++latest;
      var data = new FormData();
      data.append("body", textarea.value);
      data.append("csrfmiddlewaretoken", csrfToken(textarea.form));
      panel.classList.add("is-loading");
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea.form), "X-Requested-With": "XMLHttpRequest" }
      })
        .then(function (response) { return response.json(); })
        .then(function (payload) {
          if (ticket !== latest) { return; }  // an older answer arriving late
          if (payload.error) {
            output.textContent = payload.error;
          } else {
            output.innerHTML = payload.html;  // sanitised server-side with nh3
          }
        })
        .catch(function () {
          if (ticket === latest) { output.textContent = "Preview unavailable."; }
        })
        .finally(function () { panel.classList.remove("is-loading"); });
    }

    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(render, 300);
    });
    render();
  }

  function init() {
    var areas = document.querySelectorAll("textarea[data-preview-url]");
    for (var i = 0; i < areas.length; i++) { setup(areas[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
