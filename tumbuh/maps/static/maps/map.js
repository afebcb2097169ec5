/* Draws the choropleth from the page's JSON endpoint with Leaflet: polygons only, no tile
   server (the district network may be closed). Hover shows a label; a tap opens it. */
(function () {
  "use strict";
  var el = document.getElementById("choropleth");
  if (!el || !window.L) { return; }

  // The server writes each figure in the page's language (value_text, ll_text, ul_text).
  function fmt(text) { return text ? text + " %" : "–"; }
  function esc(s) { var d = document.createElement("div"); d.textContent = s; return d.innerHTML; }

  fetch(el.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var map = L.map(el, { zoomSnap: 0.25, attributionControl: false, preferCanvas: false });
      if (!data.boundaries || !data.boundaries.features.length) { el.textContent = data.labels.no_data; return; }
      var layer = L.geoJSON(data.boundaries, {
        style: function (f) {
          var a = data.areas[f.properties.code];
          return { color: "#4b5563", weight: 1, opacity: 1, fillOpacity: 0.85,
                   fillColor: a && a.value !== null ? a.color : data.no_data_color };
        },
        onEachFeature: function (f, l) {
          var a = data.areas[f.properties.code] || { name: f.properties.name, value: null, n: 0 };
          var html = "<strong>" + esc(a.name) + "</strong><br>" + esc(data.indicator_label) + ": " + fmt(a.value_text) +
            (a.value !== null && a.ll !== null ? " (" + fmt(a.ll_text) + " – " + fmt(a.ul_text) + ")" : "") +
            "<br>n = " + a.n + " " + esc(data.labels.n);
          l.bindTooltip(html, { sticky: true });
          l.bindPopup(html);
          l.on("mouseover", function () { l.setStyle({ weight: 3, color: "#111827" }); l.bringToFront(); });
          l.on("mouseout", function () { layer.resetStyle(l); });
        }
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [8, 8] });
      el.dataset.ready = "1";
    })
    .catch(function (err) { el.textContent = "⚠ " + err; });
})();
