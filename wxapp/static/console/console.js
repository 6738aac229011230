// The console's own script: no inline scripts exist (the CSP forbids them), so everything the
// pages need from JavaScript is here. ES2017 at most: office PCs run about Chrome 90.
(function () {
  "use strict";

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');

  // Every htmx request carries the CSRF token the server checks (Flask-WTF's header name).
  document.addEventListener("htmx:configRequest", function (event) {
    if (csrfMeta) {
      event.detail.headers["X-CSRFToken"] = csrfMeta.getAttribute("content");
    }
  });

  // htmx leaves error answers unswapped; the console's error answers are a short message:
  // show it in the page's alert area instead of failing silently.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.status >= 400 && !xhr.getResponseHeader("HX-Redirect")) {
      var alertArea = document.getElementById("htmx-alert");
      if (alertArea) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
        event.detail.target = alertArea;
        event.detail.swapOverride = "innerHTML";
      }
    }
  });

  // A network failure (the office's connection dropped) is said, not swallowed.
  document.addEventListener("htmx:sendError", function () {
    var alertArea = document.getElementById("htmx-alert");
    if (alertArea) {
      alertArea.textContent = "网络连接失败，请检查网络后重试。";
    }
  });

  // Narrow screens (village workers' phones): the navigation folds behind a button. Without
  // this script it simply stays open.
  function setUpNavToggle() {
    var nav = document.querySelector(".site-nav");
    var toggle = nav && nav.querySelector(".nav-toggle");
    if (!toggle) {
      return;
    }
    nav.classList.add("can-fold");
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", open ? "false" : "true");
      nav.classList.toggle("open", !open);
    });
  }

  // Forms that ask before doing something that cannot be undone: data-confirm="question".
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUpNavToggle);
  } else {
    setUpNavToggle();
  }
})();
