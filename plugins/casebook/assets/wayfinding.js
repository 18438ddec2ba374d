/* Casebook wayfinding: on a case study opened from the filtered catalogue, show "Back to
 * results" with the filters kept. The catalogue saves its query in sessionStorage; the
 * link appears only when the reader came from the catalogue, so it never misleads. */
(function () {
  "use strict";
  var link = document.getElementById("cb-back");
  if (!link) return;
  var query = null;
  try { query = window.sessionStorage.getItem("casebook:results"); } catch (error) { return; }
  var catalogue = new URL(link.getAttribute("href"), window.location.href);
  var from = document.referrer ? new URL(document.referrer) : null;
  if (!query || !from || from.pathname !== catalogue.pathname) return;
  link.href = catalogue.pathname + query;
  link.hidden = false;
})();

/* A wide table that scrolls sideways in its wrapper (on a phone) can be scrolled with the
 * keyboard: the wrapper takes a tab stop and a name, only when it does scroll. */
(function () {
  "use strict";
  function label() {
    Array.prototype.forEach.call(document.querySelectorAll(".md-typeset__scrollwrap"), function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "Table, scrolls sideways");
      }
    });
  }
  /* Material wraps the tables once the document is loaded, after this deferred script. */
  window.addEventListener("load", label);
  window.addEventListener("resize", label);
})();
