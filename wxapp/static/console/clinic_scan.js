// The clinic day's check-in box: typed codes and USB scanners (a keyboard that types the QR's
// text and Enter) need no script; this adds the PC camera wherever the browser offers one, and
// keeps one Enter from being sent twice. ES2017 at most; no CDN. Without it the page works the
// same.
//
// Frames are read by the browser's own BarcodeDetector where it has one (Chrome on macOS,
// Android, ChromeOS) and otherwise by jsQR (vendored beside this file, fetched on the first
// click only): desktop Chrome on Windows and Linux, where township clinics' PCs are, has no
// BarcodeDetector. The camera is stopped after a read, by 关闭摄像头, and when the page is left.
(function () {
  "use strict";

  var CODE = /^(WXAPP-CHECKIN:)?\d{6}$/;
  // Wider frames cost jsQR time and add nothing: a code held up to a PC camera fills far more
  // than a few hundred pixels.
  var DECODE_MAX_WIDTH = 640;
  var READ_EVERY_MS = 200;
  var MESSAGES = {
    notFound: "没有找到摄像头：请接好摄像头后再试，或直接输入签到码、使用扫码枪。",
    refused: "浏览器没有允许使用摄像头：请点地址栏左侧的图标，允许本网站使用摄像头后再试；" +
      "也可以直接输入签到码。",
    busy: "摄像头正被其他程序占用：请关闭其他使用摄像头的程序后再试，或直接输入签到码。",
    failed: "无法打开摄像头，请直接输入签到码或使用扫码枪。",
    decoder: "扫码组件加载失败，请刷新页面后再试，或直接输入签到码。",
    opening: "正在打开摄像头…",
    aim: "请将居民的签到二维码对准摄像头。",
    wrongCode: "这不是签到二维码，请让居民打开小程序中的预约签到码。"
  };

  var form = document.getElementById("checkin-form");
  if (!form) {
    return;
  }
  var input = document.getElementById("checkin-code");
  // The next scan goes into the box whatever the page was opened with (autofocus is skipped
  // when an address has a #fragment), without scrolling away from that fragment (back from
  // recording a follow-up, the list of them).
  if (document.activeElement === document.body || document.activeElement === null) {
    input.focus({ preventScroll: true });
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
  var problem = document.getElementById("camera-problem");
  var stream = null;
  var timer = null;
  // Each click starts a new attempt; a camera that opens after its attempt was stopped (a
  // quick 关闭摄像头, leaving the page) is closed again at once.
  var attempt = 0;

  if (!startButton || !navigator.mediaDevices ||
      typeof navigator.mediaDevices.getUserMedia !== "function") {
    return;
  }

  function say(text) {
    problem.textContent = text;
    problem.hidden = !text;
  }

  function stop() {
    attempt += 1;
    if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.srcObject = null;
    status.textContent = "";
    box.hidden = true;
    startButton.hidden = false;
  }

  function submitCode(text) {
    input.value = text;
    stop();
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  // -- decoders: each answers a promise of the texts of the QR codes in the current frame --
  function nativeDecoder() {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    return {
      name: "barcode-detector",
      read: function () {
        return detector.detect(video).then(function (codes) {
          return codes.map(function (c) { return c.rawValue || ""; });
        });
      }
    };
  }

  function jsqrDecoder() {
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d");
    return {
      name: "jsqr",
      read: function () {
        var width = video.videoWidth;
        var height = video.videoHeight;
        if (!width || !height) {
          return Promise.resolve([]);
        }
        var scale = Math.min(1, DECODE_MAX_WIDTH / width);
        canvas.width = Math.round(width * scale);
        canvas.height = Math.round(height * scale);
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var pixels = context.getImageData(0, 0, canvas.width, canvas.height);
        // The resident's page draws dark modules on white, whatever the phone's theme.
        var found = window.jsQR(pixels.data, canvas.width, canvas.height,
                                { inversionAttempts: "dontInvert" });
        return Promise.resolve(found ? [found.data] : []);
      }
    };
  }

  var jsqrLoading = null;

  function loadJsqr() {
    if (typeof window.jsQR === "function") {
      return Promise.resolve();
    }
    if (!jsqrLoading) {
      jsqrLoading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = startButton.getAttribute("data-decoder");
        script.onload = resolve;
        script.onerror = function () {
          jsqrLoading = null;
          script.remove();
          reject(new Error("decoder"));
        };
        document.head.appendChild(script);
      });
    }
    return jsqrLoading;
  }

  function nativeQrSupport() {
    if (!("BarcodeDetector" in window)) {
      return Promise.resolve(false);
    }
    return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      return formats.indexOf("qr_code") !== -1;
    }, function () { return false; });
  }

  function chooseDecoder() {
    return nativeQrSupport().then(function (native) {
      if (native) {
        return nativeDecoder();
      }
      return loadJsqr().then(jsqrDecoder);
    }).catch(function (error) {
      error.fromDecoder = true;
      throw error;
    });
  }

  function watch(decoder, mine) {
    if (mine !== attempt) {
      return;
    }
    decoder.read().then(function (texts) {
      if (mine !== attempt) {
        return;
      }
      texts = texts.map(function (text) { return text.trim(); });
      var code = texts.filter(function (text) { return CODE.test(text); })[0];
      if (code) {
        submitCode(code);
        return;
      }
      if (texts.length) {
        status.textContent = MESSAGES.wrongCode;
      }
      timer = window.setTimeout(function () { watch(decoder, mine); }, READ_EVERY_MS);
    }, function () {
      timer = window.setTimeout(function () { watch(decoder, mine); }, READ_EVERY_MS * 2);
    });
  }

  function cameraProblem(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "PermissionDeniedError" ||
        name === "SecurityError") {
      return MESSAGES.refused;
    }
    if (name === "NotFoundError" || name === "DevicesNotFoundError" ||
        name === "OverconstrainedError") {
      return MESSAGES.notFound;
    }
    if (name === "NotReadableError" || name === "TrackStartError") {
      return MESSAGES.busy;
    }
    return MESSAGES.failed;
  }

  function start() {
    stop();
    var mine = attempt;
    var decoder = null;
    say("");
    startButton.hidden = true;
    box.hidden = false;
    status.textContent = MESSAGES.opening;
    chooseDecoder()
      .then(function (chosen) {
        decoder = chosen;
        box.setAttribute("data-decoder", chosen.name);
        // "ideal", not "exact": a PC's only camera faces the user and is still the one wanted.
        return navigator.mediaDevices.getUserMedia({
          video: { facingMode: "environment" }, audio: false
        });
      })
      .then(function (media) {
        if (mine !== attempt) {
          media.getTracks().forEach(function (track) { track.stop(); });
          return null;
        }
        stream = media;
        video.srcObject = media;
        return video.play();
      })
      .then(function () {
        if (mine !== attempt) {
          return;
        }
        status.textContent = MESSAGES.aim;
        watch(decoder, mine);
      })
      .catch(function (error) {
        if (mine !== attempt) {
          return;
        }
        stop();
        say(error && error.fromDecoder ? MESSAGES.decoder : cameraProblem(error));
        input.focus();
      });
  }

  startButton.hidden = false;
  startButton.addEventListener("click", start);
  stopButton.addEventListener("click", function () {
    stop();
    input.focus();
  });
  // Leaving the page (a link, the back button, closing the tab) switches the camera off; a
  // page kept in the back-forward cache would otherwise keep its light on.
  window.addEventListener("pagehide", stop);
})();
