/*
 * minwon kiosk helper (no dependencies, CSP-safe: no eval, no inline styles).
 *
 * - Buttons with data-kiosk-toggle="CLASS" toggle CLASS on <body> and their
 *   aria-pressed state. The choice is kept in sessionStorage while one person
 *   uses the kiosk, and cleared by the inactivity reset.
 *   "kiosk-high-contrast" also sets data-krds-mode="high-contrast" so KRDS
 *   components switch to their high-contrast tokens.
 * - Inactivity reset: with no pointer/key/touch/scroll event for
 *   <body data-idle-seconds> seconds (default 60), navigate to
 *   <body data-reset-url> (default "/"). A warning (#kiosk-idle-warning) is
 *   shown for the last 20 seconds (or the last third, for short timeouts) and
 *   any input, or its "continue" button, keeps the session going.
 * - Heartbeat: with <body data-heartbeat-url>, fetch it once a minute so the
 *   situation room sees an idle kiosk as answering (the server writes at most
 *   one heartbeat a minute per device).
 */
(function () {
  "use strict";

  var STORAGE_KEY = "minwon.kiosk.prefs";
  var body = document.body;
  if (!body) { return; }

  function readPrefs() {
    try {
      var raw = window.sessionStorage.getItem(STORAGE_KEY);
      return raw ? JSON.parse(raw) : {};
    } catch (e) {
      return {};
    }
  }

  function writePrefs(prefs) {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(prefs));
    } catch (e) { /* storage unavailable: toggles still work on this page */ }
  }

  function clearPrefs() {
    try { window.sessionStorage.removeItem(STORAGE_KEY); } catch (e) { /* ignore */ }
  }

  function applyClass(cls, on) {
    body.classList.toggle(cls, on);
    if (cls === "kiosk-high-contrast") {
      if (on) { body.setAttribute("data-krds-mode", "high-contrast"); }
      else { body.removeAttribute("data-krds-mode"); }
    }
    var buttons = document.querySelectorAll('[data-kiosk-toggle="' + cls + '"]');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", on ? "true" : "false");
    }
  }

  /* toggles */
  var prefs = readPrefs();
  var toggles = document.querySelectorAll("[data-kiosk-toggle]");
  for (var i = 0; i < toggles.length; i++) {
    var cls = toggles[i].getAttribute("data-kiosk-toggle");
    applyClass(cls, prefs[cls] === true);
    toggles[i].addEventListener("click", function (event) {
      var c = event.currentTarget.getAttribute("data-kiosk-toggle");
      var on = !body.classList.contains(c);
      applyClass(c, on);
      var p = readPrefs();
      p[c] = on;
      writePrefs(p);
    });
  }

  /* inactivity reset */
  var idleSeconds = parseInt(body.getAttribute("data-idle-seconds"), 10);
  if (!(idleSeconds > 0)) { idleSeconds = 60; }
  var resetUrl = body.getAttribute("data-reset-url") || "/";
  var warnSeconds = Math.min(20, Math.floor(idleSeconds / 3));
  var warning = document.getElementById("kiosk-idle-warning");
  var countdown = warning ? warning.querySelector("[data-kiosk-countdown]") : null;
  var lastActivity = Date.now();
  var warningShown = false;

  function hideWarning() {
    if (warning && warningShown) {
      warning.hidden = true;
      warningShown = false;
    }
  }

  function activity() {
    lastActivity = Date.now();
    hideWarning();
  }

  function isDefaultState() {
    var target = new URL(resetUrl, window.location.href);
    var here = window.location;
    if (target.pathname !== here.pathname || target.search !== here.search) { return false; }
    for (var j = 0; j < toggles.length; j++) {
      if (body.classList.contains(toggles[j].getAttribute("data-kiosk-toggle"))) { return false; }
    }
    var fields = document.querySelectorAll("input, textarea, select");
    for (var k = 0; k < fields.length; k++) {
      var f = fields[k];
      if (f.type === "hidden" || f.type === "submit" || f.type === "button") { continue; }
      if ((f.type === "checkbox" || f.type === "radio") ? f.checked !== f.defaultChecked : f.value !== f.defaultValue) {
        return false;
      }
    }
    return true;
  }

  function reset() {
    clearPrefs();
    if (isDefaultState()) {
      /* already on a clean start screen: do not reload in a loop */
      window.scrollTo(0, 0);
      activity();
      return;
    }
    window.location.assign(resetUrl);
  }

  function tick() {
    var idle = (Date.now() - lastActivity) / 1000;
    var left = Math.ceil(idleSeconds - idle);
    if (left <= 0) {
      hideWarning();
      reset();
      return;
    }
    if (warning && warnSeconds > 0 && left <= warnSeconds && !isDefaultState()) {
      if (countdown) { countdown.textContent = String(left); }
      if (!warningShown) {
        warning.hidden = false;
        warningShown = true;
      }
    }
  }

  var events = ["pointerdown", "keydown", "touchstart", "wheel", "scroll", "input"];
  for (var e = 0; e < events.length; e++) {
    window.addEventListener(events[e], activity, { passive: true, capture: true });
  }
  if (warning) {
    var cont = warning.querySelector("[data-kiosk-continue]");
    if (cont) { cont.addEventListener("click", activity); }
  }
  window.setInterval(tick, 1000);

  /* heartbeat */
  var heartbeatUrl = body.getAttribute("data-heartbeat-url");
  if (heartbeatUrl && window.fetch) {
    window.setInterval(function () {
      window.fetch(heartbeatUrl, { credentials: "same-origin", cache: "no-store" }).catch(function () {
        /* offline: the room shows the kiosk as silent, which it is */
      });
    }, 60000);
  }
})();
