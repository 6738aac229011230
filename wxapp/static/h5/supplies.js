/* Free contraceptives: points near her (if she shares her location) or of her village, a
   one-time code in digits and as a QR with its expiry, cancel, and how it went. */
(function () {
  "use strict";
  const H5 = window.H5;
  const { api, el } = H5;
  if (!H5.requireSignIn()) return;

  const $ = (id) => document.getElementById(id);
  const AVAILABILITY = { available: "有货", low: "不多了", out: "没有了" };
  const FOLLOW_UP = { fine: "用着挺好", side_effects: "身体有不舒服", want_other_method: "想换别的方法" };
  const PICKUP_SENTENCE = { held: "领取码可以用", redeemed: "已在发放点刷码，正在出货", dispensed: "已经领到了",
    failed: "机器没出货，领取码已作废，可以再要一个", cancelled: "已取消", expired: "过期没领，已作废" };

  /* Browsers give WGS-84; maps and our points in China use GCJ-02 (hundreds of metres off). */
  function toGcj02(lat, lng) {
    const a = 6378245.0;
    const ee = 0.00669342162296594323;
    const tLat = (x, y) => -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) +
      (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3 +
      (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3 +
      (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
    const tLng = (x, y) => 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) +
      (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3 +
      (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3 +
      (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
    let dLat = tLat(lng - 105, lat - 35);
    let dLng = tLng(lng - 105, lat - 35);
    const rad = lat / 180 * Math.PI;
    let magic = Math.sin(rad);
    magic = 1 - ee * magic * magic;
    const sqrtMagic = Math.sqrt(magic);
    dLat = (dLat * 180) / ((a * (1 - ee)) / (magic * sqrtMagic) * Math.PI);
    dLng = (dLng * 180) / (a / sqrtMagic * Math.cos(rad) * Math.PI);
    return [lat + dLat, lng + dLng];
  }

  /* -- finding a point ----------------------------------------------------------------- */
  function nearMe() {
    if (!navigator.geolocation) {
      $("find-sentence").textContent = "这个手机不能定位，请在下面选村。";
      return;
    }
    $("find-sentence").textContent = "正在找您的位置……";
    navigator.geolocation.getCurrentPosition((position) => {
      const [lat, lng] = toGcj02(position.coords.latitude, position.coords.longitude);
      H5.act($("near-me"), () => showPoints(`latitude=${lat.toFixed(6)}&longitude=${lng.toFixed(6)}`, "离您最近的发放点："));
    }, () => {
      $("find-sentence").textContent = "没有拿到位置（可能没有允许定位），请在下面选村。";
      $("village").focus();
    }, { timeout: 15000, maximumAge: 600000 });
  }

  let lastSearch = null;
  async function showPoints(query, heading) {
    lastSearch = [query, heading];
    const points = await api("GET", "/supply-points?" + query);
    $("find-sentence").textContent = points.length ? heading : "附近没有发放点，请选别的村，或打电话问镇卫健办。";
    // Her usual point first: the form she most likely wants is the first she sees.
    const ordered = [...points].sort((a, b) => Number(!!usual && b.id === usual.point_id) - Number(!!usual && a.id === usual.point_id));
    // The list is fetched again while she may be choosing from it (it comes back after a
    // cancelled code before its fresh copy arrives, slowly on a weak signal): the new rows
    // keep what she chose, or her next tap on 要领取码 finds nothing chosen.
    const chosen = chosenQuantities();
    $("points").replaceChildren(...ordered.map(pointRow));
    for (const [id, quantity] of chosen) {
      const select = $(id);
      if (select && !select.disabled && Array.from(select.options).some((o) => o.value === quantity)) {
        select.value = quantity;
        select.dataset.chosen = "";
      }
    }
  }

  function chosenQuantities() {
    return Array.from($("points").querySelectorAll("select[data-chosen]"), (s) => [s.id, s.value]);
  }

  /* Where and what she took last time: the pickup form opens with it chosen. */
  let usual = null;

  /* A problem at a point, in words that say nothing of what she came for. */
  const REPORTS = [["broken", "机器坏了"], ["empty", "没货了"], ["other", "其他问题"]];
  function reportBox(point) {
    const noteId = "report-note-" + point.id;
    const state = el("p", { class: "status-sentence", role: "status" });
    const note = el("textarea", { id: noteId, rows: 2, maxlength: 200 });
    // Only a cabinet is a machine; at a counter a person hands them out.
    const kinds = REPORTS.filter(([kind]) => kind !== "broken" || point.kind === "cabinet");
    const buttons = kinds.map(([kind, label]) => el("button", { type: "button", class: "wide", "data-report": kind,
      on: { click: (e) => H5.act(e.currentTarget, async () => {
        const body = { kind };
        if (note.value.trim()) body.note = note.value.trim();
        await api("POST", `/supply-points/${point.id}/reports`, { body, idempotent: `point-report:${point.id}:${kind}` });
        note.value = "";
        state.textContent = "谢谢您，已经告诉工作人员了，他们会尽快来处理。";
      }) } }, label));
    return el("details", { class: "report" },
      el("summary", { text: "这里有问题？告诉工作人员" }),
      el("p", { class: "hint", text: "点下面一个按钮就行，不会留下您的名字和领了什么。" }),
      el("label", { for: noteId, text: "想多说几句（可以不写）" }), note, ...buttons, state);
  }

  function pointRow(point) {
    const open = point.open_now ? "现在开着" : point.next_opening ? "现在关着，" + point.next_opening + "开" : "现在关着";
    const where = [point.address, point.distance_m !== null && point.distance_m !== undefined ? "离您约" + distanceText(point.distance_m) : null].filter(Boolean).join("，");
    const isUsual = !!usual && usual.point_id === point.id;
    const items = point.items.map((item) => {
      const id = `qty-${point.id}-${item.item_id}`;
      const max = Math.max(0, item.per_pickup_limit || 1);
      const select = el("select", { id, "data-item": item.item_id, disabled: item.availability === "out",
        on: { change: (e) => { e.currentTarget.dataset.chosen = ""; } } },
        ...Array.from({ length: max + 1 }, (_, n) => el("option", { value: n, text: n === 0 ? "不要" : n + (item.unit || "") })));
      const before = isUsual && item.availability !== "out" && usual.items.find((line) => line.item_id === item.item_id);
      if (before) select.value = String(Math.min(before.quantity, max));
      return el("div", { class: "field" },
        el("label", { for: id, text: `${item.name}（${AVAILABILITY[item.availability] || item.availability}）` }), select);
    });
    const row = el("li", { class: "list-row", "data-point": point.id },
      el("h3", { text: point.name }), isUsual ? el("p", { class: "label", text: "您上次在这里领的，已按上次选好，可以改。" }) : null,
      el("p", { text: where }), el("p", { text: (point.hours ? "开放时间：" + point.hours + "。" : "") + open + "。" }),
      ...items);
    row.append(el("button", { type: "button", class: "primary wide", on: { click: (e) => request(e.currentTarget, point, row) } }, "要领取码"));
    if (point.kind !== "store") row.append(reportBox(point));
    return row;
  }

  function distanceText(m) {
    return m < 1000 ? m + "米" : (m / 1000).toFixed(1) + "公里";
  }

  async function request(button, point, row) {
    const items = Array.from(row.querySelectorAll("select[data-item]"))
      .map((s) => ({ item_id: parseInt(s.dataset.item, 10), quantity: parseInt(s.value, 10) }))
      .filter((i) => i.quantity > 0);
    if (!items.length) {
      H5.showAlert("请先选要领的东西和数量。");
      return;
    }
    await H5.act(button, async () => {
      H5.busy("正在要领取码……");
      const body = { point_id: point.id, items };
      await api("POST", "/me/pickups", { body, idempotent: "pickup" });
      await refresh();
      $("code").scrollIntoView();
    });
  }

  /* -- the code, and what was taken before --------------------------------------------- */
  function showCode(p) {
    $("code").hidden = !p;
    $("find").hidden = !!p;
    if (!p) return;
    const until = H5.timeText(p.expires_at);
    $("code-sentence").textContent = p.when_to_come
      ? p.when_to_come
      : "领取码可以用了，请在" + until + "之前到" + p.point + "领取，过时作废。";
    $("code-digits").textContent = p.code;
    $("code-digits").setAttribute("aria-label", "领取码 " + p.code.split("").join(" "));
    H5.drawQr($("code-qr"), p.qr_payload, "领取二维码");
    const facts = [["发放点", p.point], ["地址", p.address], ["有效到", until],
      ["领取", p.items.map((i) => i.name + " " + i.quantity + (i.unit || "")).join("、")]];
    $("code-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
    $("code-cancel").onclick = (e) => cancel(e.currentTarget, p);
  }

  async function cancel(button, p) {
    if (!window.confirm("确定不要这个领取码了吗？")) return;
    await H5.act(button, async () => {
      await api("POST", `/me/pickups/${p.id}/cancel`);
      await refresh();
      H5.busy("领取码已取消。");
    });
  }

  function historyRow(p) {
    const row = el("li", { class: "list-row", "data-pickup": p.id, "data-status": p.status },
      el("p", { class: "label", text: H5.dateText(p.created_at) + " " + p.point }),
      el("p", { text: (PICKUP_SENTENCE[p.status] || p.status) + "：" + p.items.map((i) => i.name + " " + i.quantity + (i.unit || "")).join("、") + "。" }));
    if (p.status === "dispensed" && !p.follow_up_answer) {
      row.append(el("p", { class: "label", text: "用得怎么样？点一下告诉我们：" }),
        ...Object.entries(FOLLOW_UP).map(([answer, label]) => el("button", { type: "button", class: "wide",
          on: { click: (e) => H5.act(e.currentTarget, async () => {
            await api("POST", `/me/pickups/${p.id}/follow-up`, { body: { answer } });
            await refresh();
            H5.busy(answer === "fine" ? "谢谢您的反馈。" : "谢谢，工作人员会联系您。");
          }) } }, label)));
    } else if (p.follow_up_answer) {
      row.append(el("p", { text: "您说：" + (FOLLOW_UP[p.follow_up_answer] || p.follow_up_answer) + "。" }));
    }
    return row;
  }

  async function refresh() {
    const mine = await api("GET", "/me/pickups");
    showCode(mine.find((p) => p.status === "held"));
    const past = mine.filter((p) => p.status !== "held");
    usual = past.find((p) => p.status === "dispensed" || p.status === "redeemed") || null;
    $("usual-sentence").textContent = usual
      ? "您上次在" + usual.point + "领的。选村或找最近的，会帮您把上次要的选好。" : "";
    $("history-list").replaceChildren(...past.slice(0, 10).map(historyRow));
    $("history").hidden = past.length === 0;
    // Stock changed with her code (and others'): what the list says must be now.
    if (!$("find").hidden && lastSearch) await showPoints(...lastSearch);
  }

  /* -- how she would rather get them (GET/PUT /me/supply-preference) --------------------- */
  // The choices' words are the form's own labels (in the HTML).
  const modeLabel = (mode) => {
    const input = document.querySelector(`input[name="mode"][value="${mode}"]`);
    return input ? input.parentElement.textContent.trim() : mode;
  };

  function showPreference(preference) {
    for (const input of document.querySelectorAll('input[name="mode"]')) input.checked = input.value === preference.mode;
    $("preference-note").value = preference.note || "";
    $("preference-state").textContent = preference.mode
      ? "现在记的是：" + modeLabel(preference.mode) + "。" : "还没有选过。选好点“保存”，会记下来，下次不用再说。";
  }

  async function savePreference(event) {
    event.preventDefault();
    const checked = document.querySelector('input[name="mode"]:checked');
    if (!checked) {
      $("mode-problem").textContent = "请先选一种方式。";
      return;
    }
    $("mode-problem").textContent = "";
    await H5.act($("preference-save"), async () => {
      const note = $("preference-note").value.trim();
      showPreference(await api("PUT", "/me/supply-preference", { body: { mode: checked.value, note: note || null } }));
      $("preference-state").textContent = "已经记下了：" + modeLabel(checked.value) + "。";
    });
  }

  async function start() {
    try {
      const townships = await api("GET", "/regions");
      $("village").append(...townships.flatMap((t) => t.villages.map((v) => el("option", { value: v.id, text: t.name + " " + v.name }))));
      await refresh();
      showPreference(await api("GET", "/me/supply-preference"));
      $("preference").hidden = false;
      $("loading").hidden = true;
    } catch (err) {
      $("loading").textContent = "没有打开：" + err.message;
    }
  }

  $("preference").addEventListener("submit", savePreference);
  $("near-me").addEventListener("click", nearMe);
  $("village").addEventListener("change", () => {
    if ($("village").value) H5.act(null, () => showPoints("village_id=" + $("village").value, "这个村的发放点："));
  });
  start();
})();
