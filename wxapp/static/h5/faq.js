/* Common questions: topics (big links, in the HTML), a topic's questions, one answer. Every
   view has its own address (?topic=, &entry=), so the phone's back button goes one step back. */
(function () {
  "use strict";
  const H5 = window.H5;
  const { api, el } = H5;
  if (!H5.requireSignIn()) return;
  const $ = (id) => document.getElementById(id);

  const params = new URLSearchParams(location.search);
  const topic = params.get("topic");
  const entryCode = params.get("entry");

  function topicName(code) {
    const link = document.querySelector(`[data-topic="${CSS.escape(code)}"]`);
    return link ? link.textContent.trim() : "常见问题";
  }

  function topicAddress(code) {
    return "/h5/faq?topic=" + encodeURIComponent(code);
  }

  function showList(entries) {
    $("entries-title").textContent = topicName(topic);
    $("entries-sentence").textContent = entries.length
      ? "点一个问题看回答。" : "这方面还没有整理好的问题，可以直接问，或者打电话问。";
    $("entry-list").replaceChildren(...entries.map((e) => el("li", { class: "list-row" },
      el("a", { class: "entry-link", href: topicAddress(topic) + "&entry=" + encodeURIComponent(e.code) }, e.question))));
    $("entries").hidden = false;
  }

  function showAnswer(entry) {
    $("answer-title").textContent = entry.question;
    $("answer-text").textContent = entry.answer;
    $("answer-back").href = topicAddress(entry.category);
    $("answer-back").textContent = "看“" + topicName(entry.category) + "”的其他问题";
    $("answer").hidden = false;
    document.title = entry.question + " · " + document.title.split(" · ").pop();
  }

  async function start() {
    if (!topic) return;
    $("topics").hidden = true;
    try {
      H5.busy("正在打开，请稍候……");
      const entries = await api("GET", "/faq/entries?category=" + encodeURIComponent(topic));
      const entry = entryCode && entries.find((e) => e.code === entryCode);
      if (entry) showAnswer(entry);
      else showList(entries);
      $("main").focus();
    } catch (err) {
      H5.showAlert("没有打开：" + err.message);
      $("topics").hidden = false;
    } finally {
      H5.busy("");
    }
  }
  start();
})();
