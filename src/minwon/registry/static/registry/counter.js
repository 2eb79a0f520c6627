// Counter move-in screen: Enter in a text field moves to the next field instead of
// submitting early; Enter in the last field (or Ctrl+Enter anywhere) submits.
(function () {
  "use strict";
  var form = document.getElementById("counter-move-in");
  if (!form) { return; }
  var fields = Array.prototype.slice.call(form.querySelectorAll("input:not([type=hidden]), select"));
  form.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.target.tagName === "BUTTON") { return; }
    if (event.ctrlKey) { return; }
    var at = fields.indexOf(event.target);
    if (at >= 0 && at < fields.length - 1) {
      event.preventDefault();
      fields[at + 1].focus();
    }
  });
  var first = form.querySelector(".has-error input, .has-error select");
  if (first) { first.focus(); }
})();
