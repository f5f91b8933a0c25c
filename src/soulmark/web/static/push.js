/* The wrist page's part of the installed app: it registers the service worker, and after
 * the first visit offers to push this wrist's notices to the device (docs/push.md). */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* no SW: a page */ });

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  // The same rule as soulmark.js: a session's page names it, a bare token page holds it.
  function authHeaders() {
    var root = document.getElementById("wrist");
    var token = root ? root.dataset.token : "";
    if (!token || token === "me") return {};
    if (token.indexOf("me-") === 0) return { "X-Soulmark-Session": token.slice(3) };
    return { Authorization: "Bearer " + token };
  }

  function keyBytes(base64url) {
    var text = base64url.replace(/-/g, "+").replace(/_/g, "/");
    text += "====".slice(0, (4 - (text.length % 4)) % 4);
    var raw = atob(text), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function visits() {
    var key = "sm_visits:" + window.location.pathname;
    try {
      var n = (parseInt(window.localStorage.getItem(key) || "0", 10) || 0) + 1;
      window.localStorage.setItem(key, String(n));
      return n;
    } catch (e) { return 1; }
  }

  function show(id, on) { var el = document.getElementById(id); if (el) el.hidden = !on; }

  function subscribe(box) {
    show("push-error", false);
    return Notification.requestPermission().then(function (answer) {
      if (answer !== "granted") throw new Error("not allowed");
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      return reg.pushManager.getSubscription().then(function (had) {
        return had || reg.pushManager.subscribe({
          userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.key)
        });
      });
    }).then(function (sub) {
      var body = sub.toJSON();
      body.lang = document.documentElement.lang;
      var headers = authHeaders();
      headers["Content-Type"] = "application/json";
      return fetch(box.dataset.api, { method: "POST", headers: headers, body: JSON.stringify(body) });
    }).then(function (r) {
      if (!r.ok) throw new Error("refused");
      show("push-done", true);
      window.location.replace(window.location.pathname + "#push");
      window.location.reload();
    }).catch(function () { show("push-error", true); });
  }

  ready(function () {
    var box = document.getElementById("push");
    var seen = visits();
    if (!box || !box.dataset.key || !("PushManager" in window) || !("Notification" in window)) return;
    if (seen < 2 || Notification.permission === "denied") return;
    show("push-offer", true);
    var button = document.getElementById("push-on");
    if (button) button.addEventListener("click", function () { subscribe(box); });
  });
})();
