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
