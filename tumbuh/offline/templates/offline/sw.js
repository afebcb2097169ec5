// Tumbuh's service worker for the posyandu entry without signal (tumbuh/offline/pages.py).
// Scope /anak/kunjungan/. It caches the offline page, its scripts and styles, the WHO tables
// and the manifest, and nothing else: no answer of the API (children's data lives in
// IndexedDB only, cleared at logout). Navigations under the scope go to the network first;
// when it fails or does not answer within a few seconds, the cached offline page is shown.
"use strict";
var CONFIG = {% autoescape off %}{{ config }}{% endautoescape %};
var CACHE = "tumbuh-luring-" + CONFIG.version;
var PREFIX = "tumbuh-luring-";

function samePath(url, path) {
  return new URL(url, self.location.href).pathname === path;
}

// The page is cached only as the real page: never a login page it was redirected to.
function cachePage(cache, response) {
  if (response && response.ok && !response.redirected && response.type === "basic" && samePath(response.url, CONFIG.page)) {
    return cache.put(CONFIG.page, response.clone());
  }
  return Promise.resolve();
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      var page = fetch(CONFIG.page, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) { return cachePage(cache, response); })
        .catch(function () { /* offline or logged out: cached at the next visit */ });
      return Promise.all([cache.addAll(CONFIG.assets), page]);
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (key) {
        return key.indexOf(PREFIX) === 0 && key !== CACHE;
      }).map(function (key) { return caches.delete(key); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function offlinePage() {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(CONFIG.page, { ignoreVary: true, ignoreSearch: true });
  }).then(function (cached) {
    return cached || caches.match(CONFIG.page, { ignoreVary: true, ignoreSearch: true });
  });
}

// Network first, with a timeout; the cached offline page when the network fails.
function navigate(request) {
  return new Promise(function (resolve, reject) {
    var done = false;
    function fallback() {
      if (done) return;
      offlinePage().then(function (cached) {
        if (done) return;
        if (cached) { done = true; resolve(cached); }
      });
    }
    var timer = setTimeout(fallback, CONFIG.timeout_ms);
    fetch(request).then(function (response) {
      clearTimeout(timer);
      if (samePath(request.url, CONFIG.page)) {
        caches.open(CACHE).then(function (cache) { return cachePage(cache, response); });
      }
      if (!done) { done = true; resolve(response); }
    }).catch(function (error) {
      clearTimeout(timer);
      offlinePage().then(function (cached) {
        if (done) return;
        done = true;
        if (cached) resolve(cached); else reject(error);
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf(CONFIG.api) === 0) return; // the API: network only, never cached
  if (request.mode === "navigate") {
    if (url.pathname.indexOf(CONFIG.scope) === 0) event.respondWith(navigate(request));
    return;
  }
  if (CONFIG.assets.indexOf(url.pathname) !== -1) {
    // Scripts, styles, icons, the WHO tables, the manifest: from the cache (a new version of
    // any of them is a new service worker, which caches them again).
    event.respondWith(
      caches.open(CACHE).then(function (cache) {
        return cache.match(url.pathname).then(function (cached) {
          return cached || fetch(request);
        });
      })
    );
  }
});
