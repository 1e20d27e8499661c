// Runs in the login popup once the provider sent the reader back to us: tell the page that
// opened it (only if it is on our own origin) and close. No data but a flag crosses over;
// the opener fetches the identity itself.
(function () {
  "use strict";
  var main = document.getElementById("main");
  var ok = main && main.getAttribute("data-authenticated") === "true";
  var opener = window.opener;
  if (!opener) { return; }
  try {
    opener.postMessage({ type: "dispatch:social-login", ok: ok }, window.location.origin);
  } catch (e) { return; }
  window.close();
})();
