/* Casebook "Cite this": a button that copies the citation text, and says whether it did.
 * The button is hidden in the HTML, so without JavaScript (or without a clipboard) the
 * reader gets the selectable text and the downloads, and no button that does nothing. */
(function () {
  "use strict";
  if (!navigator.clipboard || !navigator.clipboard.writeText) return;
  Array.prototype.forEach.call(document.querySelectorAll(".cb-cite-copy"), function (button) {
    var text = document.getElementById(button.getAttribute("data-cite-target"));
    var status = button.parentNode.querySelector(".cb-cite-status");
    if (!text || !status) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(text.textContent.trim()).then(
        function () { status.textContent = "Citation copied."; },
        function () { status.textContent = "Could not copy: select the text and copy it instead."; }
      );
    });
  });
})();
