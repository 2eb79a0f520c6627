/* Password strength hint on the sign-up page: for <input data-password-strength="ID">,
 * writes "비밀번호 안전도: 약함/보통/강함" (words from the element's data-* attributes,
 * translated by the template) into #ID, an aria-live region. A hint only: the server's
 * password checks decide. No inline script (CSP). */
(function () {
  "use strict";
  function score(value) {
    if (value.length < 10) return 0;
    var kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter(function (re) {
      return re.test(value);
    }).length;
    if (/^[0-9]+$/.test(value)) return 0;
    if (value.length >= 14 && kinds >= 3) return 2;
    return kinds >= 2 ? 1 : 0;
  }
  document.querySelectorAll("input[data-password-strength]").forEach(function (input) {
    var out = document.getElementById(input.getAttribute("data-password-strength"));
    if (!out) return;
    input.setAttribute("aria-describedby",
      ((input.getAttribute("aria-describedby") || "") + " " + out.id).trim());
    input.addEventListener("input", function () {
      if (!input.value) { out.hidden = true; return; }
      var level = ["weak", "fair", "strong"][score(input.value)];
      out.hidden = false;
      out.className = "password-strength is-" + level;
      out.textContent = out.dataset.label + ": " + out.dataset[level] +
        (level === "weak" ? " — " + out.dataset.adviceWeak : "");
    });
  });
})();
