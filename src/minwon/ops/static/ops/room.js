/* The situation room's charts (uPlot) and wall clock. Loaded with defer; CSP-clean.
 *
 * Times are written in Asia/Seoul whatever the browser's zone, as people write them (the
 * server's minwon.kernel.formats.instant): the clock "2026년 12월 2일 (수) 08:30:05", the
 * time axis "08:00" with the date on the first tick and where the day changes ("12월 2일"
 * above "03:00"), the range above the charts "2026년 12월 2일 (수) 02:30 ~ 08:30 (한국
 * 시간)". English pages get "Wed 2 Dec 2026, 08:30" and the like.
 * The labels last drawn on each time axis are kept in the chart box's data-x-ticks
 * attribute ("|"-separated) for tests and assistive tools, since uPlot draws on a canvas.
 */
(function () {
  "use strict";
  var ZONE = "Asia/Seoul";
  var box = document.getElementById("ops-charts");
  var clock = document.getElementById("ops-clock");
  var range = document.getElementById("ops-chart-range");
  var english = (document.documentElement.lang || "ko").toLowerCase().indexOf("en") === 0;
  var charts = {};
  // The server's clock less the browser's, so the wall clock shows the server's time.
  var serverNow = clock ? Number(clock.getAttribute("data-server-now")) : NaN;
  var skew = isFinite(serverNow) && serverNow > 0 ? serverNow - Date.now() : 0;
  var PARTS = new Intl.DateTimeFormat(english ? "en-GB" : "ko-KR", {
    timeZone: ZONE, year: "numeric", month: english ? "short" : "numeric", day: "numeric",
    weekday: "short", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23"
  });

  /* The parts of an instant (epoch milliseconds) in Seoul: year, month, day, weekday … */
  function seoul(ms) {
    var out = {};
    PARTS.formatToParts(new Date(ms)).forEach(function (p) { out[p.type] = p.value; });
    if (out.hour === "24") out.hour = "00";
    return out;
  }

  /* "2026년 12월 2일 (수)" / "Wed 2 Dec 2026" as minwon.kernel.formats.day writes it;
   * without the year and weekday on the axis ("12월 2일" / "2 Dec"). */
  function dayText(p, full) {
    if (english) return full ? p.weekday + " " + p.day + " " + p.month + " " + p.year : p.day + " " + p.month;
    return full ? p.year + "년 " + p.month + "월 " + p.day + "일 (" + p.weekday + ")" : p.month + "월 " + p.day + "일";
  }

  function hm(p) { return p.hour + ":" + p.minute; }

  function fullText(ms, seconds) {
    var p = seoul(ms);
    var time = hm(p) + (seconds ? ":" + p.second : "");
    return dayText(p, true) + (english ? ", " : " ") + time;
  }

  function tickClock() {
    if (clock) clock.textContent = fullText(Date.now() + skew, true);
  }

  function width(el) {
    return Math.max(280, Math.floor(el.getBoundingClientRect().width) - 8);
  }

  /* Time-axis labels: HH:MM, with the date above the first tick and at a change of day. */
  function timeTicks(el) {
    return function (u, splits) {
      var lastDay = null;
      var labels = splits.map(function (s) {
        var p = seoul(s * 1000);
        var key = p.year + p.month + p.day;
        var text = key !== lastDay ? dayText(p, false) + "\n" + hm(p) : hm(p);
        lastDay = key;
        return text;
      });
      el.setAttribute("data-x-ticks", labels.join("|"));
      return labels;
    };
  }

  function make(id, labels, colours, data) {
    var el = document.getElementById(id);
    if (!el || typeof window.uPlot === "undefined") return null;
    var series = [{
      label: english ? "Time (KST)" : "시각(한국 시간)",
      value: function (u, v) { return v == null ? "-" : fullText(v * 1000, false); }
    }];
    for (var i = 0; i < labels.length; i++) {
      series.push({ label: labels[i], stroke: colours[i], width: 2 });
    }
    var opts = {
      width: width(el),
      height: 240,
      series: series,
      // Splits on Seoul's hours and days, not the browser's zone.
      tzDate: function (ts) { return window.uPlot.tzDate(new Date(ts * 1000), ZONE); },
      axes: [{ values: timeTicks(el), space: 60, size: 56 }, {}],
      legend: { live: false }
    };
    return new window.uPlot(opts, data, el);
  }

  function showRange(xs) {
    if (!range || !xs.length) return;
    var first = seoul(xs[0] * 1000);
    var last = seoul(xs[xs.length - 1] * 1000);
    var sameDay = first.year + first.month + first.day === last.year + last.month + last.day;
    var to = sameDay ? hm(last) : fullText(xs[xs.length - 1] * 1000, false);
    range.textContent = fullText(xs[0] * 1000, false) + " ~ " + to +
      (english ? " (Korea time)" : " (한국 시간)");
  }

  function refresh() {
    if (!box) return;
    fetch(box.getAttribute("data-series-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) return;
        var work = [s.x, s.issuances, s.petitions];
        var reqs = [s.x, s.requests, s.errors];
        showRange(s.x);
        if (!charts.work) {
          charts.work = make("chart-work", english ? ["Certificates", "Petitions"] : ["증명서 발급", "민원 접수"], ["#0b50d0", "#1a7f37"], work);
          charts.reqs = make("chart-requests", english ? ["Requests", "5xx errors"] : ["요청", "5xx 오류"], ["#464c53", "#bd2c0f"], reqs);
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
      if (c) c.setSize({ width: width(c.root.parentNode), height: 240 });
    });
  });

  tickClock();
  setInterval(tickClock, 1000);
  refresh();
  setInterval(refresh, 15000);
})();
