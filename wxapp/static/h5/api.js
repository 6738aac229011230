/* The resident pages' one shared script: sign-in token, calls to /api/v1, and small helpers.
   Contract (h5-contract): the sign-in lands on <page>#token=...&expires_in=...; the token goes
   to sessionStorage and the fragment is removed. A 401 sends the page to sign in again, once:
   a second 401 right after signing in shows a message instead of looping. ES2020, no library. */
(function () {
  "use strict";
  const TOKEN = "h5.token";
  const EXPIRES_AT = "h5.expires_at";
  const ARRIVED_AT = "h5.token_arrived_at";
  const KEYS = "h5.idempotency";
  const LOOP_GUARD_MS = 60 * 1000;
  const store = window.sessionStorage;

  function takeTokenFromFragment() {
    if (!location.hash || location.hash.indexOf("token=") < 0) return;
    const params = new URLSearchParams(location.hash.slice(1));
    const token = params.get("token");
    if (token) {
      const seconds = parseInt(params.get("expires_in") || "0", 10);
      store.setItem(TOKEN, token);
      store.setItem(ARRIVED_AT, String(Date.now()));
      if (seconds > 0) store.setItem(EXPIRES_AT, String(Date.now() + seconds * 1000));
      else store.removeItem(EXPIRES_AT);
    }
    // The token must not stay in the address bar, the history or a shared link.
    history.replaceState(null, "", location.pathname + location.search);
  }

  function token() {
    const expires = parseInt(store.getItem(EXPIRES_AT) || "0", 10);
    if (expires && Date.now() > expires) {
      store.removeItem(TOKEN);
      return null;
    }
    return store.getItem(TOKEN);
  }

  function signInAgain() {
    const arrived = parseInt(store.getItem(ARRIVED_AT) || "0", 10);
    store.removeItem(TOKEN);
    if (arrived && Date.now() - arrived < LOOP_GUARD_MS) {
      showAlert("登录没有成功。请关闭本页，从公众号菜单重新进入；还不行请打电话问镇卫健办。");
      return;
    }
    const next = location.pathname + location.search;
    location.replace("/h5/auth/start?next=" + encodeURIComponent(next));
  }

  /* Every page calls this first: true when signed in, else it goes to sign in. */
  function requireSignIn() {
    takeTokenFromFragment();
    if (token()) return true;
    signInAgain();
    return false;
  }

  class ApiError extends Error {
    constructor(status, code, message, details) {
      super(message);
      this.status = status;
      this.code = code;
      this.details = details || {};
    }
  }

  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "h5-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /* One Idempotency-Key per intent (scope) and body: a double tap, or a retry after the
     answer was lost, sends the same key and the server files once; a changed body is a new
     request and gets a new key. Kept in sessionStorage so that a reload keeps it too. */
  function keyFor(scope, body) {
    const all = JSON.parse(store.getItem(KEYS) || "{}");
    const fingerprint = typeof body === "string" ? body : JSON.stringify(body || null);
    const known = all[scope];
    if (known && known.body === fingerprint) return known.key;
    all[scope] = { body: fingerprint, key: newKey() };
    store.setItem(KEYS, JSON.stringify(all));
    return all[scope].key;
  }

  function forgetKey(scope) {
    const all = JSON.parse(store.getItem(KEYS) || "{}");
    delete all[scope];
    store.setItem(KEYS, JSON.stringify(all));
  }

  /* fetch with the bearer token. Returns the JSON answer (or the Response when raw); throws an
     ApiError carrying the API's own Chinese message. */
  async function api(method, path, options) {
    const opts = options || {};
    const headers = { Accept: "application/json" };
    const current = token();
    if (current) headers.Authorization = "Bearer " + current;
    let body;
    if (opts.form) {
      body = opts.form;
    } else if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.body);
    }
    if (opts.idempotent) headers["Idempotency-Key"] = keyFor(opts.idempotent, opts.keyBody || body);
    let response;
    try {
      response = await fetch("/api/v1" + path, { method, headers, body, credentials: "omit" });
    } catch (err) {
      throw new ApiError(0, "network", "网络不太好，没有连上。请稍后再点一次。");
    }
    if (response.status === 401 && current) {
      signInAgain();
      throw new ApiError(401, "auth", "需要重新登录，正在为您跳转。");
    }
    if (response.ok) {
      if (opts.idempotent) forgetKey(opts.idempotent);
      if (opts.raw) return response;
      if (response.status === 204) return null;
      return response.json();
    }
    let error = {};
    try {
      error = (await response.json()).error || {};
    } catch (err) {
      error = {};
    }
    if (response.status === 429) {
      error.message = error.message || "操作太频繁了，请稍等一会儿再试。";
    }
    throw new ApiError(response.status, error.code || "http." + response.status,
      error.message || "出了点问题，请稍后再试，或打电话问镇卫健办。", error.details);
  }

  /* -- the page -------------------------------------------------------------------------- */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "on") for (const [type, fn] of Object.entries(value)) node.addEventListener(type, fn);
      else if (value === true) node.setAttribute(name, "");
      else node.setAttribute(name, String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function showAlert(message) {
    const box = document.getElementById("alert");
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
    box.scrollIntoView({ block: "center" });
  }

  function clearAlert() {
    const box = document.getElementById("alert");
    if (box) { box.hidden = true; box.textContent = ""; }
  }

  function busy(message) {
    const line = document.getElementById("busy");
    if (line) line.textContent = message || "";
  }

  /* Run an action from a button: the button is disabled until it finishes (a double tap
     does nothing twice), errors are shown in words. */
  async function act(button, work) {
    if (button && button.disabled) return undefined;
    if (button) button.disabled = true;
    clearAlert();
    try {
      return await work();
    } catch (err) {
      showAlert(err.message || "出了点问题，请稍后再试。");
      return undefined;
    } finally {
      if (button) button.disabled = false;
      busy("");
    }
  }

  const CHINA = { timeZone: "Asia/Shanghai" };
  function dateText(iso) {
    if (!iso) return "";
    const d = new Date(iso.length === 10 ? iso + "T00:00:00+08:00" : iso);
    return d.toLocaleDateString("zh-CN", { ...CHINA, year: "numeric", month: "long", day: "numeric", weekday: "short" });
  }
  function timeText(iso) {
    if (!iso) return "";
    return new Date(iso).toLocaleString("zh-CN", { ...CHINA, month: "long", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit", hour12: false });
  }

  /* A QR code drawn by the server (POST: the code never sits in an address). */
  async function drawQr(container, text, label) {
    const response = await fetch("/h5/qr.svg", { method: "POST", credentials: "omit",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text }) });
    if (!response.ok) return;
    const doc = new DOMParser().parseFromString(await response.text(), "image/svg+xml");
    const svg = document.importNode(doc.documentElement, true);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label || "二维码");
    container.replaceChildren(svg);
  }

  /* A file the API serves only with the token (certificate, letter): fetched, then saved. */
  async function download(path, filename) {
    const response = await api("GET", path, { raw: true });
    const url = URL.createObjectURL(await response.blob());
    const link = el("a", { href: url, download: filename });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  /* 请村里代办: one tap asks her village's workers to call her and file for her, as a message
     staff answer (POST /me/handovers). A page that knows her phone and village says so
     through H5.helpFacts; otherwise she is asked for her phone first. */
  function mountVillageHelp() {
    const box = document.getElementById("village-help");
    if (!box) return;
    const button = document.getElementById("help-ask");
    const phoneField = document.getElementById("help-phone-field");
    const phoneInput = document.getElementById("help-phone");
    const state = document.getElementById("help-state");
    button.addEventListener("click", () => act(button, async () => {
      const facts = (window.H5.helpFacts && window.H5.helpFacts()) || {};
      const phone = (phoneInput.value || facts.phone || "").trim();
      if (!/^1\d{10}$/.test(phone)) {
        phoneField.hidden = false;
        phoneInput.focus();
        state.textContent = "请留一个手机号码（11位），工作人员好打给您，再点一次“请村里代办”。";
        return;
      }
      const topic = box.dataset.topic;
      const message = "请村里代办" + topic + "。联系电话：" + phone + "。" +
        (facts.name ? "姓名：" + facts.name + "。" : "") + (facts.village ? "住在：" + facts.village + "。" : "");
      const body = { message, purpose: "filing_help" };
      if (facts.villageId) body.village_id = Number(facts.villageId);
      await api("POST", "/me/handovers", { body, idempotent: "village-help:" + topic });
      phoneField.hidden = true;
      state.textContent = "已经告诉村里了，工作人员会打电话给您（" + phone + "）。回复也会在“我的消息”里。";
    }));
  }
  document.addEventListener("DOMContentLoaded", mountVillageHelp);

  window.H5 = { requireSignIn, api, keyFor, forgetKey, newKey, ApiError, el, showAlert,
    clearAlert, busy, act, dateText, timeText, drawQr, download, token };
})();
