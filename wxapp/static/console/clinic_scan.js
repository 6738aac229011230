// The clinic day's check-in box: typed codes and USB scanners (a keyboard that types the QR's
// text and Enter) need no script; this adds the PC camera where the browser can read QR codes
// itself (BarcodeDetector: Chrome on Windows, Android, ChromeOS), and keeps one Enter from
// being sent twice. ES2017 at most; no library, no CDN. Without it the page works the same.
(function () {
  "use strict";

  var CODE = /^(WXAPP-CHECKIN:)?\d{6}$/;
  var form = document.getElementById("checkin-form");
  if (!form) {
    return;
  }
  var input = document.getElementById("checkin-code");
  // The next scan goes into the box whatever the page was opened with (autofocus is skipped
  // when an address has a #fragment).
  if (document.activeElement === document.body || document.activeElement === null) {
    input.focus();
  }

  // A scanner that sends Enter twice, or a double click: the first submission is the one.
  form.addEventListener("submit", function (event) {
    if (form.getAttribute("data-sent") === "yes") {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-sent", "yes");
  });
  // Back to this page from the history: the box is ready for the next couple again.
  window.addEventListener("pageshow", function () {
    form.removeAttribute("data-sent");
  });

  var startButton = document.getElementById("camera-start");
  var stopButton = document.getElementById("camera-stop");
  var box = document.getElementById("camera");
  var video = document.getElementById("camera-video");
  var status = document.getElementById("camera-status");
  var stream = null;
  var timer = null;

  function stop() {
    if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.srcObject = null;
    box.hidden = true;
    startButton.hidden = false;
    input.focus();
  }

  function submitCode(text) {
    input.value = text;
    stop();
    status.textContent = "";
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  function watch(detector) {
    detector.detect(video).then(function (codes) {
      var found = codes.map(function (c) { return (c.rawValue || "").trim(); });
      var code = found.filter(function (text) { return CODE.test(text); })[0];
      if (code) {
        submitCode(code);
        return;
      }
      if (found.length) {
        status.textContent = "这不是签到二维码，请让居民打开小程序中的预约签到码。";
      }
      timer = window.setTimeout(function () { watch(detector); }, 250);
    }, function () {
      timer = window.setTimeout(function () { watch(detector); }, 500);
    });
  }

  function start() {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    status.textContent = "正在打开摄像头…";
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        box.hidden = false;
        startButton.hidden = true;
        return video.play();
      })
      .then(function () {
        status.textContent = "请将居民的签到二维码对准摄像头。";
        watch(detector);
      })
      .catch(function () {
        stop();
        status.textContent = "";
        window.alert("无法打开摄像头，请直接输入签到码或使用扫码枪。");
      });
  }

  if (!startButton || !("BarcodeDetector" in window) || !navigator.mediaDevices ||
      typeof navigator.mediaDevices.getUserMedia !== "function") {
    return;
  }
  window.BarcodeDetector.getSupportedFormats().then(function (formats) {
    if (formats.indexOf("qr_code") === -1) {
      return;
    }
    startButton.hidden = false;
    startButton.addEventListener("click", start);
    stopButton.addEventListener("click", stop);
  }, function () {});
})();
