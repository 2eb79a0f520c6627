/* The apply page: filter petition types as one types (name, category or legal basis as a
 * substring, or 초성 such as "ㄷㅎㅍ"), hide empty categories, and show a type's fields and
 * documents only once it is chosen. Without JS everything is shown. No inline script (CSP). */
(function () {
  "use strict";
  var CHO = /^[\u3131-\u314e\s]+$/;
  var search = document.querySelector("[data-apply-search]");
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-type-row]"));
  var count = document.getElementById("type-search-count");
  function details(row) {
    var box = row.querySelector("[data-type-choice]");
    var more = row.querySelector("[data-type-details]");
    if (box && more) more.hidden = !box.checked;
  }
  rows.forEach(function (row) {
    details(row);
    var box = row.querySelector("[data-type-choice]");
    if (box) box.addEventListener("change", function () { details(row); });
  });
  if (!search) return;
  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase().replace(/\s+/g, "");
    var shown = 0;
    rows.forEach(function (row) {
      var hay = CHO.test(q) ? row.dataset.choseong : row.dataset.search.toLowerCase();
      var match = !q || hay.replace(/\s+/g, "").indexOf(q) !== -1 ||
        row.querySelector("[data-type-choice]").checked;
      row.hidden = !match;
      if (match) shown += 1;
    });
    document.querySelectorAll("[data-category]").forEach(function (group) {
      group.hidden = !group.querySelector("[data-type-row]:not([hidden])");
    });
    if (count) count.textContent = !q ? "" : shown ? count.dataset.found.replace("%s", shown) : count.dataset.none;
  });
})();
