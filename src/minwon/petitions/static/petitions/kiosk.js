/*
 * Petition kiosk pages: the "print the receipt" button opens the kiosk's print dialog
 * for the receipt on screen (kiosk.css hides everything else when printing).
 * CSP-safe: no inline script, no eval.
 */
(function () {
  "use strict";
  var buttons = document.querySelectorAll("[data-kiosk-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function () { window.print(); });
  }
})();
