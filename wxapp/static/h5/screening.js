/* The free pre-pregnancy check: the couple (once), clinics and free places, book, cancel,
   move, the waitlist and its offer, the check-in code and QR, results and the letter. */
(function () {
  "use strict";
  const H5 = window.H5;
  const { api, el } = H5;
  if (!H5.requireSignIn()) return;

  const $ = (id) => document.getElementById(id);
  const ACTIVE = ["scheduled", "waitlisted", "offered"];
  let villages = [];
  let moving = null;        // the booking being moved
  let couple = null;
  let lastBookings = [];

  function sentence(b) {
    const when = H5.timeText(b.starts_at) + "，" + b.clinic;
    switch (b.status) {
      case "scheduled": return "已约好：" + when + "。到了医院，把下面的签到码给工作人员看。";
      case "waitlisted": return "这个时间约满了，您在排队候补：" + when + "。有人取消就留给您，会通知您。";
      case "offered": return "有空出的名额留给您了：" + when + "。请在" + H5.timeText(b.offer_expires_at) + "之前点“要这个名额”，过时就给下一位。";
      case "checked_in": return "已签到：" + when + "，检查结果出来后在这里看。";
      case "completed": return "检查做完了，结果已经出来：" + when + "。";
      case "cancelled": return "已取消：" + when + "。";
      case "moved": return "已改到别的时间（原来是" + when + "）。";
      case "missed": return "那天没有去检查：" + when + "。";
      case "expired": return "留给您的名额过期了：" + when + "。";
      default: return when;
    }
  }

  /* -- my bookings --------------------------------------------------------------------- */
  async function loadBookings() {
    const mine = await api("GET", "/me/bookings");
    lastBookings = mine;
    const active = mine.find((b) => ACTIVE.includes(b.status));
    const rows = mine.filter((b) => b.status !== "moved").slice(0, 6).map(bookingRow);
    $("booking-list").replaceChildren(...(rows.length ? rows : [el("p", { text: "还没有预约。" })]));
    $("bookings").hidden = false;
    return active;
  }

  function bookingRow(b) {
    const row = el("div", { class: "list-row", "data-booking": b.id, "data-status": b.status },
      el("p", { class: "status-sentence", text: sentence(b) }));
    if (b.status === "scheduled" && b.checkin_code) {
      const qr = el("div", { class: "qr" });
      row.append(el("p", { class: "label", text: "签到码" }),
        el("p", { class: "code-digits", text: b.checkin_code, "aria-label": "签到码 " + b.checkin_code.split("").join(" ") }), qr);
      H5.drawQr(qr, b.checkin_qr, "签到二维码");
    }
    const actions = el("div", { class: "actions" });
    if (b.status === "offered") {
      actions.append(el("button", { type: "button", class: "primary wide", on: { click: (e) => H5.act(e.currentTarget, async () => { await api("POST", `/me/bookings/${b.id}/accept`); await refresh(); }) } }, "要这个名额"));
    }
    if (b.status === "scheduled") {
      actions.append(el("button", { type: "button", class: "wide", on: { click: () => startMove(b) } }, "改个时间"));
    }
    if (ACTIVE.includes(b.status)) {
      actions.append(el("button", { type: "button", class: "danger wide", on: { click: (e) => cancel(e.currentTarget, b) } }, b.status === "waitlisted" ? "不排了" : "取消预约"));
    }
    if (b.status === "completed") {
      actions.append(el("button", { type: "button", class: "primary wide", on: { click: (e) => H5.act(e.currentTarget, () => showResult(b)) } }, "看检查结果"));
    }
    if (actions.children.length) row.append(actions);
    return row;
  }

  async function cancel(button, b) {
    if (!window.confirm("确定取消这个预约吗？")) return;
    await H5.act(button, async () => {
      await api("POST", `/me/bookings/${b.id}/cancel`);
      await refresh();
      H5.busy("已取消。");
    });
  }

  async function showResult(b) {
    const r = await api("GET", `/me/bookings/${b.id}/result`);
    $("result-sentence").textContent = "检查结果：" + r.risk_category_text + "。";
    const facts = [["检查日期", H5.dateText(r.recorded_at)], ["需要注意", (r.risk_factors || []).join("、") || "没有"], ["医生建议", r.advice]];
    $("result-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
    $("letter").onclick = (e) => H5.act(e.currentTarget, () => H5.download(`/me/bookings/${b.id}/letter.pdf`, `孕前检查结果告知书-${b.id}.pdf`));
    $("result").hidden = false;
    $("result").scrollIntoView();
  }

  /* -- booking a place ----------------------------------------------------------------- */
  async function loadClinics() {
    const clinics = await api("GET", "/clinics");
    $("clinic").replaceChildren(...clinics.map((c) => el("option", { value: c.id, "data-address": c.address + (c.phone ? "，电话 " + c.phone : ""), text: c.name })));
    if (clinics.length) await loadSlots();
    else $("book-sentence").textContent = "现在还没有可以预约的医院，请打电话问镇卫健办。";
  }

  async function loadSlots() {
    const option = $("clinic").selectedOptions[0];
    $("clinic-address").textContent = option ? "地址：" + option.dataset.address : "";
    const slots = await api("GET", `/clinics/${$("clinic").value}/slots`);
    const rows = slots.filter((s) => !moving || s.remaining > 0).map((s) => {
      const full = s.remaining <= 0;
      const label = moving ? "改到这个时间" : full ? "已约满，排队候补" : "约这个时间";
      return el("li", { class: "list-row" },
        el("p", { text: H5.timeText(s.starts_at) + "　" + (full ? "名额已满" : "还剩" + s.remaining + "个名额") }),
        el("button", { type: "button", class: full ? "wide" : "primary wide", "aria-label": label + "：" + H5.timeText(s.starts_at), on: { click: (e) => choose(e.currentTarget, s, full) } }, label));
    });
    $("slots").replaceChildren(...rows);
    $("book-sentence").textContent = rows.length ? (moving ? "选一个新的时间：" : "选一个时间：") : "这家医院最近没有能约的时间，换一家看看。";
  }

  async function choose(button, slot, full) {
    await H5.act(button, async () => {
      H5.busy("正在预约，请稍候……");
      if (moving) {
        await api("POST", `/me/bookings/${moving.id}/move`, { body: { slot_id: slot.id } });
        moving = null;
      } else {
        const body = { slot_id: slot.id, waitlist: full };
        await api("POST", "/me/bookings", { body, idempotent: "booking" });
      }
      await refresh();
      $("bookings").scrollIntoView();
    });
  }

  function startMove(b) {
    moving = b;
    $("book-title").textContent = "改个时间";
    $("book-cancel-move").hidden = false;
    $("book").hidden = false;
    loadSlots().then(() => $("book").scrollIntoView());
  }

  /* -- the couple ---------------------------------------------------------------------- */
  function value(path) {
    const input = document.querySelector(`#couple-form [data-field="${path}"]`);
    return input ? input.value.trim() : "";
  }
  function setValue(path, v) {
    const input = document.querySelector(`#couple-form [data-field="${path}"]`);
    if (input) input.value = v === null || v === undefined ? "" : String(v);
  }

  function fillCouple(c) {
    for (const role of ["wife", "husband"]) {
      for (const key of ["name", "id_number", "phone", "hukou_region"]) setValue(`${role}.${key}`, (c[role] || {})[key]);
    }
    setValue("village_id", c.village_id);
    setValue("residence_since", c.residence_since);
    for (const input of document.querySelectorAll('input[name="child_order"]')) input.checked = Number(input.value) === (c.child_order || 0);
  }

  function coupleBody() {
    const person = (role) => ({ name: value(role + ".name"), id_number: value(role + ".id_number").toUpperCase(),
      phone: value(role + ".phone") || null, hukou_region: value(role + ".hukou_region") });
    const order = document.querySelector('input[name="child_order"]:checked');
    return { wife: person("wife"), husband: person("husband"), village_id: parseInt(value("village_id"), 10) || 0,
      residence_since: value("residence_since") || null, planning_pregnancy: true,
      child_order: order ? parseInt(order.value, 10) : 0 };
  }

  function showProblems(details) {
    const flat = {};
    const walk = (prefix, obj) => {
      for (const [k, v] of Object.entries(obj || {})) {
        const path = prefix ? prefix + "." + k : k;
        if (Array.isArray(v)) flat[path] = v.join(" ");
        else if (typeof v === "object") walk(path, v);
        else flat[path] = v;
      }
    };
    walk("", details);
    for (const span of document.querySelectorAll("#couple-form [data-problem]")) span.textContent = flat[span.dataset.problem] || "";
  }

  function showCouple(c) {
    couple = c;
    const saved = Array.isArray(c.eligibility_problems);
    const problems = saved ? c.eligibility_problems : [];
    $("couple-problems").replaceChildren(...problems.map((p) => el("li", { text: p })));
    if (!saved) {
      $("couple-sentence").textContent = "第一次预约，请先填夫妻俩的信息。";
      $("couple-summary").replaceChildren();
      fillCouple(c);
      $("couple-form").hidden = false;
      $("couple-actions").replaceChildren();
    } else {
      $("couple-sentence").textContent = problems.length ? "现在还不能免费预约，原因是：" : "夫妻信息已填好，可以预约了。";
      $("couple-summary").replaceChildren(el("p", { text: `妻子 ${c.wife.name}，丈夫 ${c.husband.name}，准备要第${c.child_order}个孩子。` }));
      $("couple-form").hidden = true;
      const actions = [el("button", { type: "button", class: "wide", on: { click: () => { fillCouple(c); $("couple-form").hidden = false; } } }, "修改夫妻信息")];
      if (c.accounts < 2) {
        actions.push(el("button", { type: "button", class: "wide", on: { click: (e) => H5.act(e.currentTarget, async () => {
          const code = await api("POST", "/me/screening-couple/join-code");
          $("join-code-line").textContent = `请把邀请码 ${code.join_code} 告诉爱人，在${H5.timeText(code.expires_at)}前有效，只能用一次。爱人填好同样的夫妻信息后，输入邀请码就能一起看预约和结果。`;
        }) } }, "让爱人也能看到预约和结果"));
      }
      $("couple-actions").replaceChildren(...actions);
    }
    $("join").hidden = !saved || c.accounts >= 2;
    $("couple").hidden = false;
    return saved && problems.length === 0;
  }

  async function saveCouple(event) {
    event.preventDefault();
    await H5.act($("couple-save"), async () => {
      try {
        showCouple(await api("PUT", "/me/screening-couple", { body: coupleBody() }));
        showProblems({});
        await refresh();
      } catch (err) {
        showProblems(err.details);
        throw err;
      }
    });
  }

  async function join(event) {
    event.preventDefault();
    await H5.act(event.submitter || null, async () => {
      showCouple(await api("POST", "/me/screening-couple/join", { body: { join_code: $("join-code").value.trim() } }));
      await refresh();
    });
  }

  /* -- the page ------------------------------------------------------------------------- */
  async function refresh() {
    const c = await api("GET", "/me/screening-couple");
    const canBook = showCouple(c);
    const active = await loadBookings();
    // One free check per couple per child: once done (or under way) there is nothing to book.
    const done = lastBookings.some((b) => ["checked_in", "completed"].includes(b.status) && b.child_order === c.child_order);
    $("book-title").textContent = "选时间预约";
    $("book-cancel-move").hidden = !moving;
    $("book").hidden = !(moving || (canBook && !active && !done));
    if (!$("book").hidden) await loadSlots();
  }

  async function start() {
    try {
      const townships = await api("GET", "/regions");
      villages = townships.flatMap((t) => t.villages.map((v) => ({ ...v, township: t.name })));
      $("couple-village").append(...villages.map((v) => el("option", { value: v.id, text: v.township + " " + v.name })));
      await loadClinics();
      await refresh();
      $("loading").hidden = true;
    } catch (err) {
      $("loading").textContent = "没有打开：" + err.message;
    }
  }

  H5.helpFacts = () => {
    const wife = (couple && couple.wife) || {};
    const husband = (couple && couple.husband) || {};
    const village = villages.find((v) => couple && v.id === couple.village_id);
    return { phone: wife.phone || husband.phone, name: wife.name, village: village ? village.township + " " + village.name : null,
      villageId: village ? village.id : null };
  };
  $("couple-form").addEventListener("submit", saveCouple);
  $("couple-village").addEventListener("change", () => {
    const v = villages.find((x) => String(x.id) === value("village_id"));
    if (v) for (const role of ["wife", "husband"]) if (!value(role + ".hukou_region")) setValue(role + ".hukou_region", v.code.slice(0, 6));
  });
  $("join-form").addEventListener("submit", join);
  $("clinic").addEventListener("change", () => H5.act(null, loadSlots));
  $("book-cancel-move").addEventListener("click", () => { moving = null; H5.act(null, refresh); });
  start();
})();
