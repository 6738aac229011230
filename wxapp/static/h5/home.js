/* Home: the menu (plain links, in the HTML) and, once signed in, what is under way. */
(function () {
  "use strict";
  const { api, el } = window.H5;
  if (!window.H5.requireSignIn()) return;

  const OPEN_REGISTRATION = { submitted: "生育登记已提交，正在审核。", returned: "生育登记被退回了，需要您修改后再交。",
    correction_requested: "生育登记的更正正在审核。", approved: "生育登记已办好，可以看登记凭证。" };
  const BOOKING = { scheduled: "孕前检查已预约：", waitlisted: "孕前检查在排队候补：", offered: "有空出的检查名额，等您确认：" };

  async function load() {
    const items = [];
    const [registrations, bookings] = await Promise.all([
      api("GET", "/me/registrations").catch(() => []),
      api("GET", "/me/bookings").catch(() => []),
    ]);
    const latest = registrations[0];
    if (latest && OPEN_REGISTRATION[latest.status]) {
      items.push(el("li", { class: "list-row" }, el("a", { href: "/h5/registration" }, OPEN_REGISTRATION[latest.status])));
    }
    for (const booking of bookings) {
      if (BOOKING[booking.status]) {
        items.push(el("li", { class: "list-row" }, el("a", { href: "/h5/screening" },
          BOOKING[booking.status] + window.H5.timeText(booking.starts_at) + "，" + booking.clinic)));
      }
    }
    if (items.length) {
      document.getElementById("todo-list").replaceChildren(...items);
      document.getElementById("todo").hidden = false;
    }
  }
  load();
})();
