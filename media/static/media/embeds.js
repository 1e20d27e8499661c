/* Privacy-first embeds: the facade is a plain link to the video; a click swaps in the
   player iframe described by the figure's data-* attributes (nothing is loaded from the
   provider before). Without JavaScript the link simply opens the video. */
(function () {
  "use strict";

  function play(figure) {
    var src = figure.getAttribute("data-embed-src");
    if (!src || src.indexOf("https://") !== 0) { return false; }
    var frame = document.createElement("iframe");
    frame.src = src;
    frame.title = figure.getAttribute("data-embed-title") || "Embedded media";
    var allow = figure.getAttribute("data-embed-allow");
    if (allow) { frame.setAttribute("allow", allow); }
    var sandbox = figure.getAttribute("data-embed-sandbox");
    if (sandbox) { frame.setAttribute("sandbox", sandbox); }
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    frame.setAttribute("loading", "eager");
    var facade = figure.querySelector(".embed-facade");
    if (facade) { figure.removeChild(facade); }
    figure.appendChild(frame);
    figure.classList.add("embed-playing");
    frame.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".embed-facade") : null;
    if (!link) { return; }
    var figure = link.closest("figure[data-embed-src]");
    if (figure && play(figure)) { event.preventDefault(); }
  });
})();
