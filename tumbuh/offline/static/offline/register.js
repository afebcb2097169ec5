// Installs the offline entry page's service worker from the posyandu form (tumbuh/offline), so
// that /anak/kunjungan/ still opens without signal, showing the offline page. The worker and its
// scope come from this script tag's data-sw and data-scope attributes.
(function () {
  "use strict";
  var tag = document.currentScript;
  if (!tag || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(tag.getAttribute("data-sw"), { scope: tag.getAttribute("data-scope") })
    .catch(function () { /* an old browser: the online form only */ });
})();
