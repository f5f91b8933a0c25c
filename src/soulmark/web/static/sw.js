/* soulmark's service worker (docs/push.md).
 *
 * It keeps only what is the same for everyone: the static files and the offline page in
 * each language, fetched without cookies when it installs.  It never puts a page, an API
 * answer or anything else it sees go by into its cache, so no partner's name, no token and
 * no wrist's state can ever be read from it.  Offline, a page the phone navigates to is
 * answered with the offline page; everything else goes to the network as it would anyway.
 */
"use strict";

var VERSION = "__VERSION__";
var CACHE = "soulmark-static-" + VERSION;
var LANGS = ["__LANGS__"];
var STATIC = ["__STATIC__"];
var OFFLINE = LANGS.map(function (code) { return "/offline/" + code; });

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      var kept = STATIC.concat(OFFLINE).map(function (url) {
        return new Request(url, { credentials: "omit", cache: "reload" });
      });
      return cache.addAll(kept);
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k !== CACHE; })
        .map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

// The offline page in the language the page asked for (?lang=), else the device's.
function offlineLang(url) {
  var asked = url.searchParams.get("lang");
  var wanted = (asked ? [asked] : []).concat(self.navigator.languages || []);
  for (var i = 0; i < wanted.length; i++) {
    var code = String(wanted[i]).toLowerCase().split("-")[0];
    if (LANGS.indexOf(code) >= 0) return code;
  }
  return LANGS[0];
}

function offline(url) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match("/offline/" + offlineLang(url));
  }).then(function (page) {
    return page || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // Always the network first, and its answer is never kept.
    event.respondWith(fetch(request).catch(function () { return offline(url); }));
    return;
  }
  if (STATIC.indexOf(url.pathname) >= 0 && !url.search) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(url.pathname).then(function (hit) { return hit || fetch(request); });
    }));
  }
});

// A push is fixed words padded to one size (soulmark.push.words): the name is never in it.
function safePath(path) {
  return typeof path === "string" && path.charAt(0) === "/" && path.charAt(1) !== "/"
    ? path : "/wrist/me";
}

function showPush(data) {
  var msg = {};
  try { msg = data ? data.json() : {}; } catch (e) { msg = {}; }
  return self.registration.showNotification(msg.title || "soulmark", {
    body: msg.body || "",
    tag: msg.tag || "soulmark",
    lang: msg.lang || "",
    icon: "/static/icon-192.png",
    badge: "/static/icon-192.png",
    data: { open: safePath(msg.open) }
  });
}

// Opens the wrist the notice is about: the device's own session cookie finds it
// (/wrist/me?world=<slug>), so no token ever rides in a push.
function openWrist(path) {
  var target = new URL(safePath(path), self.location.origin).href;
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (open) {
    for (var i = 0; i < open.length; i++) {
      var client = open[i];
      if (new URL(client.url).origin === self.location.origin && "navigate" in client) {
        return client.navigate(target).then(function (went) {
          var shown = went || client;
          return shown.focus().catch(function () { return shown; });
        }).catch(function () { return self.clients.openWindow(target); });
      }
    }
    return self.clients.openWindow(target);
  });
}

self.addEventListener("push", function (event) {
  event.waitUntil(showPush(event.data));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  event.waitUntil(openWrist(event.notification.data && event.notification.data.open));
});

self.soulmark = { showPush: showPush, openWrist: openWrist, cacheName: CACHE };
