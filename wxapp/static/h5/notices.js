/* My notices: what was sent to her (GET /me/notices, whichever channel also reached her
   phone), what needs her and where things stand (read from each journey's API), and staff's
   answers to her messages. */
(function () {
  "use strict";
  const H5 = window.H5;
  const { api, el } = H5;
  if (!H5.requireSignIn()) return;
  const $ = (id) => document.getElementById(id);

  const REGISTRATION = { submitted: "生育登记正在审核，不用您做什么。", returned: "生育登记被退回了，请按要求修改后再交。",
    approved: "生育登记已经办好，可以保存登记凭证。", rejected: "生育登记没有通过。", correction_requested: "您申请的更正正在审核。" };

  function row(href, sentence, when, needsHer) {
    return { when: when || "", node: el("li", { class: "list-row" },
      el("a", { href, text: (needsHer ? "【要您办】" : "【进度】") + sentence }),
      when ? el("p", { class: "hint", text: H5.timeText(when) }) : null) };
  }

  function showInbox(inbox) {
    $("inbox-sentence").textContent = inbox.total === 0 ? "还没有收到消息。"
      : inbox.unread ? "有" + inbox.unread + "条新消息没看。" : "消息都看过了。";
    $("inbox").replaceChildren(...inbox.items.map((n) => {
      const row = el("li", { class: "list-row", "data-notice": n.id },
        el("p", { class: "label", text: (n.read ? "" : "【新】") + n.title }),
        el("p", { text: n.text }),
        el("p", { class: "hint", text: H5.timeText(n.created_at) }));
      if (!n.read) {
        row.append(el("button", { type: "button", class: "wide", on: { click: (e) => H5.act(e.currentTarget, async () => {
          await api("POST", `/me/notices/${n.id}/read`);
          showInbox(await api("GET", "/me/notices"));
        }) } }, "知道了"));
      }
      return row;
    }));
  }

  async function load() {
    const [inbox, registrations, bookings, pickups, handovers] = await Promise.all([
      api("GET", "/me/notices"), api("GET", "/me/registrations"), api("GET", "/me/bookings"),
      api("GET", "/me/pickups"), api("GET", "/me/handovers")]);
    showInbox(inbox);
    const rows = [];
    for (const r of registrations.slice(0, 3)) {
      if (REGISTRATION[r.status]) rows.push(row("/h5/registration", REGISTRATION[r.status], r.submitted_at, r.status === "returned"));
    }
    for (const b of bookings) {
      const when = H5.timeText(b.starts_at) + "，" + b.clinic;
      if (b.status === "offered") rows.push(row("/h5/screening", "有空出的孕前检查名额留给您（" + when + "），请在" + H5.timeText(b.offer_expires_at) + "前确认。", b.offer_expires_at, true));
      else if (b.status === "scheduled") rows.push(row("/h5/screening", "孕前检查约在" + when + "，记得带身份证。", b.starts_at, false));
      else if (b.status === "completed") rows.push(row("/h5/screening", "孕前检查结果出来了，可以看结果和告知书。", b.starts_at, false));
    }
    for (const p of pickups.slice(0, 5)) {
      if (p.status === "held") rows.push(row("/h5/supplies", "领取码 " + p.code + " 请在" + H5.timeText(p.expires_at) + "前到" + p.point + "使用。", p.created_at, true));
      else if (p.status === "dispensed" && !p.follow_up_answer) rows.push(row("/h5/supplies", "领的药具用得怎么样？点这里告诉我们。", p.created_at, true));
    }
    rows.sort((a, b) => (b.when > a.when ? 1 : -1));
    $("notices").replaceChildren(...(rows.length ? rows.map((r) => r.node) : [el("li", { text: "现在没有要您办的事。" })]));
    $("replies").replaceChildren(...(handovers.length ? handovers.map((h) => el("li", { class: "list-row" },
      el("p", { class: "label", text: "您问：" + h.message }),
      el("p", { text: h.status === "answered" ? "工作人员答：" + h.answer : "工作人员还没回复，上班时间会回复您。" }),
      el("p", { class: "hint", text: H5.timeText(h.answered_at || h.created_at) }))) : [el("li", { text: "还没有给工作人员留过言。" })]));
    $("loading").hidden = true;
  }
  load().catch((err) => { $("loading").textContent = "没有打开：" + err.message; });
})();
