/* Draws the choropleth from the page's JSON endpoint with Leaflet: polygons and posyandu points
   only, no tile server (the district network may be closed). Hover shows a label; a tap opens it.
   Also draws the public page's map (publik): there an area or point whose figure the public
   table hides carries only the table's words for why (suppressed_text), and the map sits in a
   container hidden until this script runs, so a page without JavaScript shows its tables only. */
(function () {
  "use strict";
  var el = document.getElementById("choropleth");
  if (!el || !window.L) { return; }
  var hiddenUntilDrawn = el.closest("[hidden]");
  if (hiddenUntilDrawn) { hiddenUntilDrawn.hidden = false; }

  // The server writes each figure in the page's language (value_text, ll_text, ul_text).
  function fmt(text) { return text ? text + " %" : "–"; }
  function esc(s) { var d = document.createElement("div"); d.textContent = s; return d.innerHTML; }

  fetch(el.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var hasAreas = data.boundaries && data.boundaries.features.length;
      var points = data.points || [];
      if (!hasAreas && !points.length) { el.textContent = data.labels.no_data; return; }
      var map = L.map(el, { zoomSnap: 0.25, attributionControl: false, preferCanvas: false });
      var bounds = L.latLngBounds([]);
      var layer = null;
      if (hasAreas) {
        layer = L.geoJSON(data.boundaries, {
          style: function (f) {
            var a = data.areas[f.properties.code];
            return { color: "#4b5563", weight: 1, opacity: 1, fillOpacity: 0.85, className: "map-area",
                     fillColor: a && a.value !== null ? a.color : data.no_data_color };
          },
          onEachFeature: function (f, l) {
            var a = data.areas[f.properties.code] || { name: f.properties.name, value: null, n: 0 };
            var html = "<strong>" + esc(a.name) + "</strong><br>" + esc(data.indicator_label) + ": " + (a.suppressed ?
              esc(a.suppressed_text) : fmt(a.value_text) +
              (a.value !== null && a.ll !== null ? " (" + fmt(a.ll_text) + " – " + fmt(a.ul_text) + ")" : "") +
              "<br>n = " + a.n + " " + esc(data.labels.n));
            l.bindTooltip(html, { sticky: true });
            l.bindPopup(html);
            l.on("mouseover", function () { l.setStyle({ weight: 3, color: "#111827" }); l.bringToFront(); });
            l.on("mouseout", function () { layer.resetStyle(l); });
          }
        }).addTo(map);
        bounds.extend(layer.getBounds());
      }
      if (points.length) {
        var group = L.featureGroup();
        points.forEach(function (p) {
          var m = L.circleMarker([p.lat, p.lon], {
            radius: 6, weight: 1.5, color: "#111827", opacity: 1, fillOpacity: 0.95, fillColor: p.color,
            className: "posyandu-point" + (p.suppressed ? " posyandu-hidden" : "")
          });
          var figure;
          if (p.suppressed) { figure = esc(p.suppressed_text || data.point_labels.no_figure); }
          else if (p.value === null) { figure = esc(data.point_labels.no_figure); }
          else {
            figure = esc(data.indicator_label) + ": " + fmt(p.value_text) +
              (p.ll !== null ? " (" + fmt(p.ll_text) + " – " + fmt(p.ul_text) + ")" : "") + "<br>n = " + p.n + " " + esc(data.labels.n);
          }
          var html = "<strong>" + esc(p.name) + "</strong><br>" + esc(data.point_labels.desa) + " " + esc(p.desa) + "<br>" + figure;
          m.bindTooltip(html);
          m.bindPopup(html);
          m.addTo(group);
        });
        group.addTo(map);
        group.eachLayer(function (m) { m.bringToFront(); });
        bounds.extend(group.getBounds());
        var overlays = {};
        overlays[data.point_labels.layer] = group;
        L.control.layers(null, overlays, { collapsed: false }).addTo(map);
      }
      if (bounds.getNorthEast().equals(bounds.getSouthWest())) { map.setView(bounds.getCenter(), 13); }
      else { map.fitBounds(bounds, { padding: [12, 12] }); }
      el.dataset.ready = "1";
      el.dataset.points = String(points.length);
    })
    .catch(function (err) { el.textContent = "⚠ " + err; });
})();
