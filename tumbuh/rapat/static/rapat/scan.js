// The organiser's phone reads invitees' QR codes (jsQR, served from Tumbuh) and checks them in.
(function () {
  "use strict";
  var box = document.getElementById("scanner");
  if (!box) return;
  var video = document.getElementById("scan-video");
  var canvas = document.getElementById("scan-canvas");
  var status = document.getElementById("scan-status");
  var last = {code: "", at: 0};

  function csrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function send(code) {
    var body = new FormData();
    body.append("code", code);
    fetch(box.dataset.url, {method: "POST", body: body, credentials: "same-origin",
                            headers: {"X-CSRFToken": csrf(), "X-Requested-With": "fetch"}})
      .then(function (r) { return r.text(); })
      .then(function (html) {
        document.getElementById("scan-result").outerHTML = html;
        if (window.htmx) window.htmx.trigger(document.body, "attendance-changed");
        if (navigator.vibrate) navigator.vibrate(120);
      });
  }

  function tick() {
    if (video.readyState === video.HAVE_ENOUGH_DATA && window.jsQR) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      var ctx = canvas.getContext("2d", {willReadFrequently: true});
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, {inversionAttempts: "dontInvert"});
      var now = Date.now();
      if (found && found.data && (found.data !== last.code || now - last.at > 4000)) {
        last = {code: found.data, at: now};
        send(found.data);
      }
    }
    requestAnimationFrame(tick);
  }

  function noCamera() {
    document.getElementById("scan-no-camera").hidden = false;
    video.hidden = true;
    status.hidden = true;
  }

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { noCamera(); return; }
  navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false})
    .then(function (stream) {
      video.srcObject = stream;
      video.play();
      requestAnimationFrame(tick);
    })
    .catch(noCamera);
})();
