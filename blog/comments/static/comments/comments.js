// The comment form's progressive enhancements. Everything works without this file:
// reply links fall back to ?replytocom=ID and the identity is simply typed again.
(function () {
  "use strict";
  var respond = document.getElementById("respond");
  var form = document.getElementById("commentform");
  if (!respond || !form) { return; }
  var parentInput = document.getElementById("comment_parent");
  var titleText = document.getElementById("reply-title-text");
  var title = document.getElementById("reply-title");
  var cancel = document.getElementById("cancel-comment-reply-link");
  var textarea = document.getElementById("comment");
  var home = document.createElement("div");
  home.id = "respond-home";
  home.hidden = true;
  respond.parentNode.insertBefore(home, respond);

  function replyTo(link) {
    var target = document.getElementById(link.dataset.belowelement);
    if (!target) { return false; }
    target.parentNode.insertBefore(respond, target.nextSibling);
    parentInput.value = link.dataset.commentid;
    titleText.textContent = link.dataset.replyto;
    cancel.hidden = false;
    textarea.focus();
    return true;
  }

  function cancelReply(event) {
    event.preventDefault();
    home.parentNode.insertBefore(respond, home.nextSibling);
    parentInput.value = "0";
    titleText.textContent = title.dataset.leave;
    cancel.hidden = true;
    textarea.focus();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.comment-reply-link") : null;
    if (link && replyTo(link)) { event.preventDefault(); }
  });
  cancel.addEventListener("click", cancelReply);

  // One click, one comment: a double click would otherwise post twice (the second is
  // refused as a duplicate, but the reader would see that error instead of their comment).
  form.addEventListener("submit", function () {
    var button = document.getElementById("submit");
    window.setTimeout(function () { button.disabled = true; }, 0);
  });

  // A typed comment survives anything that loses the page (an expired session's CSRF
  // failure, a crash, a mis-click): the draft is kept in sessionStorage until the comment
  // is seen on the page after posting.
  var postId = (document.getElementById("comment_post_ID") || {}).value;
  var DRAFT = "dispatch-draft:" + postId;
  try {
    var landed = /^#comment-\d+$/.test(window.location.hash) && document.querySelector(window.location.hash);
    if (landed) {
      window.sessionStorage.removeItem(DRAFT);
    } else if (!textarea.value && window.sessionStorage.getItem(DRAFT)) {
      textarea.value = window.sessionStorage.getItem(DRAFT);
    }
    textarea.addEventListener("input", function () { window.sessionStorage.setItem(DRAFT, textarea.value); });
  } catch (e) { /* storage disabled */ }

  // "Save my name, email, and website in this browser": kept in localStorage only.
  var KEY = "dispatch-commenter";
  var consent = document.getElementById("wp-comment-cookies-consent");
  var fields = ["author", "email", "url"];
  if (consent) {
    try {
      var saved = JSON.parse(window.localStorage.getItem(KEY) || "null");
      if (saved) {
        fields.forEach(function (name) {
          var input = document.getElementById(name);
          if (input && !input.value && saved[name]) { input.value = saved[name]; }
        });
        consent.checked = true;
      }
    } catch (e) { /* storage disabled: nothing to restore */ }
    form.addEventListener("submit", function () {
      try {
        if (consent.checked) {
          var data = {};
          fields.forEach(function (name) { data[name] = (document.getElementById(name) || {}).value || ""; });
          window.localStorage.setItem(KEY, JSON.stringify(data));
        } else {
          window.localStorage.removeItem(KEY);
        }
      } catch (e) { /* storage disabled */ }
    });
  }
}());

// A cached page is shared by every anonymous reader, so it carries no CSRF token (that
// would set a cookie and make it uncacheable). The token is fetched when a form in the
// comment section is first used, and at the latest when it is submitted; without
// JavaScript, or if the fetch fails, the form still posts (a POST with no session needs
// no token: config.helpers.csrf_protect_sessions).
(function () {
  "use strict";
  var section = document.getElementById("comments");
  var url = section && section.getAttribute("data-csrf-url");
  if (!url) { return; }
  var pending = null;

  function emptyInputs() {
    return section.querySelectorAll("form input[name=csrfmiddlewaretoken]:not([value]), " +
                                    "form input[name=csrfmiddlewaretoken][value='']");
  }

  function fetchToken() {
    if (!emptyInputs().length) { return Promise.resolve(); }
    if (!pending) {
      pending = fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          var inputs = emptyInputs();
          for (var i = 0; i < inputs.length; i++) { inputs[i].value = data.token; }
        })
        .catch(function () { pending = null; });
    }
    return pending;
  }

  section.addEventListener("focusin", function (event) {
    if (event.target.closest && event.target.closest("form")) { fetchToken(); }
  });
  // Capture phase on the document: before the form's own submit handlers run.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!section.contains(form) || form.dataset.csrfReady === "1") { return; }
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!input || input.value) { return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter;
    fetchToken().then(function () {
      form.dataset.csrfReady = "1";
      if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
    });
  }, true);
}());
