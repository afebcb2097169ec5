/* "Use my location" on the posyandu form: asks the browser for the phone's position once, only
   when the button is pressed, and writes it into the latitude and longitude fields with the
   page's decimal mark. Nothing is sent anywhere until the form is saved. */
(function () {
  "use strict";
  function fill(input, value) {
    var decimal = input.getAttribute("data-decimal") || ",";
    input.value = value.toFixed(6).replace(".", decimal);
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }
  document.querySelectorAll("[data-geolocate]").forEach(function (box) {
    if (!("geolocation" in navigator)) { return; }  // no button where it cannot work
    box.hidden = false;
    var out = box.querySelector("output");
    box.querySelector("button").addEventListener("click", function () {
      var lat = document.getElementById(box.dataset.latitude);
      var lon = document.getElementById(box.dataset.longitude);
      out.textContent = box.dataset.waiting;
      navigator.geolocation.getCurrentPosition(function (pos) {
        fill(lat, pos.coords.latitude);
        fill(lon, pos.coords.longitude);
        out.textContent = box.dataset.done.replace("{metres}", String(Math.round(pos.coords.accuracy || 0)));
        box.dataset.filled = "1";
      }, function (err) {
        var reason = err.code === 1 ? box.dataset.denied : err.code === 3 ? box.dataset.timeout : box.dataset.unavailable;
        out.textContent = box.dataset.failed.replace("{reason}", reason);
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
    });
  });
})();
