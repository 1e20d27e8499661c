// Runs in the login popup once the provider sent the reader back to us (signed in, or
// cancelled/failed): tell the page that opened it — only if that page is on our own
// origin — and close. Only a flag crosses over; the opener fetches the identity itself.
// In a normal tab (no opener: the no-JS or popup-blocked path) it does nothing.
(function () {
  "use strict";
  var marker = document.querySelector("[data-social-login-result]");
  var opener = window.opener;
  if (!marker || !opener) { return; }
  var ok = marker.getAttribute("data-social-login-result") === "ok";
  try {
    opener.postMessage({ type: "dispatch:social-login", ok: ok }, window.location.origin);
  } catch (e) { return; }
  window.close();
})();
