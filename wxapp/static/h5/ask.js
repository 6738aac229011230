/* Ask a question: the bot's answer, its suggestions to tap, 有用/没用, and a hand-over to staff
   (a message answered in 我的消息). Asking needs no sign-in; leaving a message does. */
(function () {
  "use strict";
  const H5 = window.H5;
  const { api, el } = H5;
  if (!H5.requireSignIn()) return;
  const $ = (id) => document.getElementById(id);
  let lastQuestion = "";

  function say(cls, text) {
    const item = el("li", { class: cls, text });
    $("chat").append(item);
    return item;
  }

  async function ask(question) {
    question = question.trim();
    if (!question) {
      H5.showAlert("请先写下您的问题。");
      return;
    }
    // Still answering the last one (a slow answer): a suggestion tapped now would be shown as
    // asked and never answered, and a typed question wiped. Say so and keep both.
    if ($("ask-send").disabled) {
      H5.busy("还在找上一个问题的答案，请等一下再点。");
      return;
    }
    lastQuestion = question;
    say("me", question);
    $("question").value = "";
    await H5.act($("ask-send"), async () => {
      H5.busy("正在找答案……");
      const answer = await api("POST", "/faq/ask", { body: { question } });
      // Unmatched, the API's words are for the chat ("回复数字", "回复人工"); here she taps.
      const hasSuggestions = answer.suggestions && answer.suggestions.length;
      const text = answer.matched ? answer.answer : hasSuggestions
        ? "没有找到正好的答案。点一下下面的问题看看，都不是的话可以换个说法再问，或者留言给工作人员。"
        : "这个问题机器人答不上来。可以换个说法再问，或者在下面留言给工作人员。";
      const reply = say("bot", text);
      if (hasSuggestions) {
        reply.append(el("p", { class: "label", text: answer.matched ? "您可能还想问：" : "您是不是想问：" }),
          ...answer.suggestions.map((s) => el("button", { type: "button", class: "wide", on: { click: () => ask(s.question) } }, s.question)));
      }
      if (answer.feedback_token) {
        const thanks = el("p", { role: "status" });
        const feedback = (useful) => (e) => H5.act(e.currentTarget, async () => {
          await api("POST", "/faq/feedback", { body: { token: answer.feedback_token, useful } });
          thanks.textContent = "谢谢您告诉我们。";
          for (const b of reply.querySelectorAll("button.feedback")) b.remove();
        });
        reply.append(el("p", { class: "label", text: "这个回答有用吗？" }),
          el("button", { type: "button", class: "feedback", on: { click: feedback(true) } }, "有用"), " ",
          el("button", { type: "button", class: "feedback", on: { click: feedback(false) } }, "没用"), thanks);
      }
      if (!answer.matched) openHandover();
      reply.scrollIntoView({ block: "nearest" });
    });
  }

  function openHandover() {
    $("handover").hidden = false;
    $("handover-open").hidden = true;
    if (!$("handover-message").value) $("handover-message").value = lastQuestion;
  }

  async function handOver() {
    const message = $("handover-message").value.trim();
    if (!message) {
      H5.showAlert("请写下要问工作人员的话。");
      return;
    }
    await H5.act($("handover-send"), async () => {
      await api("POST", "/me/handovers", { body: { message }, idempotent: "handover" });
      $("handover-state").textContent = "已经留言给工作人员了，回复会在“我的消息”里。";
      $("handover-message").value = "";
    });
  }

  $("ask-form").addEventListener("submit", (event) => { event.preventDefault(); ask($("question").value); });
  $("handover-open").addEventListener("click", openHandover);
  $("handover-send").addEventListener("click", handOver);
  // Came from a page's "留言问工作人员": straight to the message box.
  if (new URLSearchParams(location.search).has("person")) {
    openHandover();
    $("handover-message").focus();
  }
})();
