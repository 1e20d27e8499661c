// Social login in a popup for the comment form (DESIGN §4). The typed comment never leaves
// the page: the popup is fed by submitting the form into it (the server keeps a copy of the
// draft as well), and when it reports back we only swap the guest fields for the identity.
// Without a popup (blocked) the same button submits the page itself: the no-JS path.
// "Log Out" needs no script: it submits the form, and the server keeps the draft.
(function () {
  "use strict";
  var POPUP_NAME = "dispatch-social-login";

  function init(block) {
    var form = block.closest("form");
    if (!form) { return; }
    var status = block.querySelector(".social-login-status");
    var guest = block.querySelector(".comment-guest");
    var signedIn = block.querySelector(".comment-signed-in");
    var changeBox = block.querySelector(".comment-change-providers");
    var changeLink = block.querySelector(".comment-change");
    var pending = null;

    if (changeBox) { changeBox.hidden = true; }
    if (changeLink && changeBox) {
      changeLink.addEventListener("click", function (event) {
        event.preventDefault();
        changeBox.hidden = !changeBox.hidden;
      });
    }

    function say(text) { if (status) { status.textContent = text; } }

    function setCsrf(token) {
      if (!token) { return; }
      var input = form.querySelector("input[name=csrfmiddlewaretoken]");
      if (input) { input.value = token; }
    }

    function showIdentity(identity) {
      var using = signedIn.querySelector(".identity-using");
      var plain = signedIn.querySelector(".identity-plain");
      var avatar = signedIn.querySelector(".identity-avatar");
      signedIn.querySelector(".identity-provider").textContent = identity.provider_name || "";
      signedIn.querySelector(".identity-name strong").textContent = identity.name || "";
      using.hidden = !identity.provider_name;
      plain.hidden = !!identity.provider_name;
      if (avatar) { avatar.src = identity.avatar_url || avatar.getAttribute("data-default-src"); }
      if (guest) {
        // Out of the form altogether: hidden required fields would block "Post Comment".
        guest.hidden = true;
        guest.disabled = true;
      }
      signedIn.hidden = false;
      if (changeBox) { changeBox.hidden = true; }
    }

    function refresh(providerName) {
      return fetch(block.getAttribute("data-identity-url"), {
        credentials: "same-origin", headers: { "Accept": "application/json" }, cache: "no-store"
      }).then(function (r) { return r.json(); }).then(function (identity) {
        setCsrf(identity.csrf_token);
        if (identity.authenticated) {
          showIdentity(identity);
          say("You are now signed in with " + (identity.provider_name || providerName) + ".");
        } else {
          say("Sign-in with " + providerName + " did not complete. Your comment is still here.");
        }
      }).catch(function () {
        say("We could not check the sign-in. Your comment is still here.");
      });
    }

    function finish(ok) {
      if (!pending) { return; }
      var name = pending.name;
      window.clearInterval(pending.timer);
      pending = null;
      refresh(name);
    }

    window.addEventListener("message", function (event) {
      if (event.origin !== window.location.origin) { return; }
      if (!pending || event.source !== pending.popup) { return; }
      if (!event.data || event.data.type !== "dispatch:social-login") { return; }
      finish(!!event.data.ok);
    });

    function openPopup(button) {
      var name = button.getAttribute("data-provider-name") || button.getAttribute("data-provider");
      var popup = window.open("about:blank", POPUP_NAME, "popup,width=600,height=700");
      if (!popup) { return false; }
      var extra = document.createElement("input");
      extra.type = "hidden";
      extra.name = "popup";
      extra.value = "1";
      var chosen = document.createElement("input");
      chosen.type = "hidden";
      chosen.name = "provider";
      chosen.value = button.value;
      form.appendChild(extra);
      form.appendChild(chosen);
      var oldTarget = form.getAttribute("target");
      var oldAction = form.getAttribute("action");
      form.setAttribute("target", POPUP_NAME);
      form.setAttribute("action", button.getAttribute("formaction"));
      HTMLFormElement.prototype.submit.call(form);
      if (oldTarget === null) { form.removeAttribute("target"); } else { form.setAttribute("target", oldTarget); }
      form.setAttribute("action", oldAction);
      form.removeChild(extra);
      form.removeChild(chosen);
      say("Connecting to " + name + "\u2026");
      if (pending) { window.clearInterval(pending.timer); }
      pending = { popup: popup, name: name, timer: window.setInterval(function () {
        // The reader closed the popup, or the provider cut the link to us: ask the server.
        if (popup.closed) { finish(false); }
      }, 500) };
      popup.focus();
      return true;
    }

    block.addEventListener("click", function (event) {
      var button = event.target.closest(".social-login, .social-login-change");
      // A blocked popup: let the button submit the page (the draft is kept server-side).
      if (button && block.contains(button) && openPopup(button)) { event.preventDefault(); }
    });
  }

  function start() {
    var blocks = document.querySelectorAll(".comment-identity");
    for (var i = 0; i < blocks.length; i++) { init(blocks[i]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
