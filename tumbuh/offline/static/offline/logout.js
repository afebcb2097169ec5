// Logging out on a shared phone (tumbuh/offline): warn when entries made without signal are
// still waiting to be sent, then clear what the offline page kept (its IndexedDB, its caches, its
// service worker). The server's logout answer also says Clear-Site-Data: "cache", "storage",
// for the browsers that honour it; this covers those that do not.
(function () {
  "use strict";
  var DB = "tumbuh-luring";
  var WAITING = "tumbuh-luring-waiting"; // kept up to date by offline/app.js

  function waitingCount() {
    try {
      return parseInt(window.localStorage.getItem(WAITING) || "0", 10) || 0;
    } catch (e) {
      return 0;
    }
  }

  function clearPhone() {
    var jobs = [];
    try { window.localStorage.removeItem(WAITING); } catch (e) { /* storage off */ }
    if (window.indexedDB) {
      jobs.push(new Promise(function (resolve) {
        var request = window.indexedDB.deleteDatabase(DB);
        // "blocked": the offline page holds it open; it is deleted when that page goes.
        request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
      }));
    }
    if (window.caches) {
      jobs.push(window.caches.keys().then(function (keys) {
        return Promise.all(keys.filter(function (key) { return key.indexOf(DB + "-") === 0; })
          .map(function (key) { return window.caches.delete(key); }));
      }).catch(function () {}));
    }
    if (navigator.serviceWorker && navigator.serviceWorker.getRegistrations) {
      jobs.push(navigator.serviceWorker.getRegistrations().then(function (registrations) {
        return Promise.all(registrations.map(function (r) { return r.unregister(); }));
      }).catch(function () {}));
    }
    return Promise.all(jobs);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-logout]") || form.getAttribute("data-cleared")) return;
    var waiting = waitingCount();
    event.preventDefault();
    if (waiting > 0) {
      var text = (form.getAttribute("data-waiting-text") || "").replace("%(count)s", String(waiting));
      if (!window.confirm(text)) return;
    }
    var sent = false;
    function go() {
      if (sent) return;
      sent = true;
      form.setAttribute("data-cleared", "1");
      form.submit();
    }
    clearPhone().then(go, go);
    setTimeout(go, 2000);
  });
})();
