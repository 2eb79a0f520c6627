/* The situation room's charts (uPlot) and wall clock. Loaded with defer; CSP-clean. */
(function () {
  "use strict";
  var box = document.getElementById("ops-charts");
  var clock = document.getElementById("ops-clock");
  var charts = {};

  function tickClock() {
    if (!clock) return;
    var now = new Date();
    clock.textContent = now.toLocaleString("ko-KR", { timeZone: "Asia/Seoul", hour12: false });
  }

  function width(el) {
    return Math.max(280, Math.floor(el.getBoundingClientRect().width) - 8);
  }

  function make(id, labels, colours, data) {
    var el = document.getElementById(id);
    if (!el || typeof window.uPlot === "undefined") return null;
    var series = [{}];
    for (var i = 0; i < labels.length; i++) {
      series.push({ label: labels[i], stroke: colours[i], width: 2 });
    }
    var opts = { width: width(el), height: 220, series: series, axes: [{}, {}], legend: { live: false } };
    return new window.uPlot(opts, data, el);
  }

  function refresh() {
    if (!box) return;
    fetch(box.getAttribute("data-series-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        var work = [s.x, s.issuances, s.petitions];
        var reqs = [s.x, s.requests, s.errors];
        if (!charts.work) {
          charts.work = make("chart-work", ["증명서 발급", "민원 접수"], ["#0b50d0", "#1a7f37"], work);
          charts.reqs = make("chart-requests", ["요청", "5xx 오류"], ["#464c53", "#bd2c0f"], reqs);
        } else {
          charts.work.setData(work);
          charts.reqs.setData(reqs);
        }
      })
      .catch(function () { /* the next poll retries */ });
  }

  window.addEventListener("resize", function () {
    ["work", "reqs"].forEach(function (k) {
      var c = charts[k];
      if (c) c.setSize({ width: width(c.root.parentNode), height: 220 });
    });
  });

  tickClock();
  setInterval(tickClock, 1000);
  refresh();
  setInterval(refresh, 15000);
})();
