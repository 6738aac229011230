/* Birth registration: consent, the form (prefilled, a draft kept on the server), photos from
   the camera or a signed promise, submit, where it stands, fix after a return, the certificate. */
(function () {
  "use strict";
  const H5 = window.H5;
  const { api, el } = H5;
  if (!H5.requireSignIn()) return;

  const CONSENT_PATH = "/consent";
  const DOCS = [
    { kind: "mother_id_card", label: "女方身份证", required: true },
    { kind: "father_id_card", label: "男方身份证", required: true },
    { kind: "hukou_page", label: "户口簿（户主页和本人页）", required: true },
    { kind: "marriage_certificate", label: "结婚证", required: false },
  ];
  const FIELD_NAMES = { "mother.name": "女方姓名", "mother.id_number": "女方身份证号码",
    "mother.phone": "女方手机号码", "father.name": "男方姓名", "father.id_number": "男方身份证号码",
    "father.phone": "男方手机号码", "mother.hukou_region": "女方户口所在地",
    "father.hukou_region": "男方户口所在地", village_id: "登记的村（社区）",
    pregnancy_status: "怀孕情况", expected_or_birth_date: "预产期或出生日期",
    marriage_date: "结婚日期", filer_role: "谁来填写", documents: "证件照片" };
  const STATUS_SENTENCE = {
    submitted: "已经交上去了，工作人员正在审核。",
    returned: "工作人员退回来了，请按下面说的改一下再交。",
    approved: "已经登记好了。登记凭证在下面，可以保存或给人看。",
    rejected: "没有通过。",
    withdrawn: "您已经撤回了这份申请。",
    correction_requested: "您申请的更正正在审核。",
  };
  const MAX_PHOTO_SIDE = 2000;

  const $ = (id) => document.getElementById(id);
  const form = $("view-form");
  let villages = [];        // [{id, name, code}]
  let documents = {};       // kind -> {id, promised}
  let editing = null;       // registration id when fixing a returned one or correcting
  let correcting = false;   // editing an approved one: the change is reviewed first
  let saveTimer = null;

  function show(view) {
    for (const id of ["loading", "view-status", "view-consent", "view-form"]) $(id).hidden = id !== view;
    $("main").focus();
  }

  /* -- the form <-> data ---------------------------------------------------------------- */
  function setValue(path, value) {
    const input = form.querySelector(`[data-field="${path}"]`);
    if (input) input.value = value === null || value === undefined ? "" : String(value);
  }
  function getValue(path) {
    const input = form.querySelector(`[data-field="${path}"]`);
    return input ? input.value.trim() : "";
  }
  function radio(name) {
    const checked = form.querySelector(`input[name="${name}"]:checked`);
    return checked ? checked.value : null;
  }
  function setRadio(name, value) {
    for (const input of form.querySelectorAll(`input[name="${name}"]`)) input.checked = input.value === value;
  }

  function collect() {
    const parent = (role) => ({ name: getValue(role + ".name") || null,
      id_number: getValue(role + ".id_number").toUpperCase() || null,
      phone: getValue(role + ".phone") || null, hukou_region: getValue(role + ".hukou_region") || null });
    const status = radio("pregnancy_status");
    const children = Array.from($("children").children).map((row) => ({
      ...JSON.parse(row.dataset.kept || "{}"),
      birth_date: row.querySelector("input").value || null,
      relation: row.querySelector("select").value || null }));
    const ids = [];
    const promised = [];
    for (const [kind, doc] of Object.entries(documents)) {
      if (doc.id) ids.push(doc.id);
      else if (doc.promised) promised.push(kind);
    }
    return { filer_role: radio("filer_role"), mother: parent("mother"), father: parent("father"),
      marriage_date: getValue("marriage_date") || null, pregnancy_status: status,
      expected_or_birth_date: status === "planning" ? null : (getValue("expected_or_birth_date") || null),
      existing_children: children, village_id: parseInt(getValue("village_id"), 10) || null,
      documents: ids, promised_documents: promised };
  }

  function fill(data, uploaded) {
    setRadio("filer_role", data.filer_role || null);
    for (const role of ["mother", "father"]) {
      const parent = data[role] || {};
      for (const key of ["name", "id_number", "phone", "hukou_region"]) setValue(`${role}.${key}`, parent[key]);
    }
    setValue("marriage_date", data.marriage_date);
    setRadio("pregnancy_status", data.pregnancy_status || null);
    setValue("expected_or_birth_date", data.expected_or_birth_date);
    setValue("village_id", data.village_id);
    $("children").replaceChildren();
    for (const child of data.existing_children || []) addChild(child);
    documents = {};
    for (const doc of uploaded || []) documents[doc.kind] = { id: doc.id };
    for (const kind of data.promised_documents || []) if (!documents[kind]) documents[kind] = { promised: true };
    renderDocuments();
    whenLabel();
  }

  function addChild(child) {
    const n = $("children").children.length + 1;
    const dateId = "child-date-" + n + "-" + Date.now();
    const relationId = "child-relation-" + n + "-" + Date.now();
    const relation = el("select", { id: relationId },
      el("option", { value: "both", text: "我们俩共同的孩子" }),
      el("option", { value: "mother_only", text: "女方以前的孩子" }),
      el("option", { value: "father_only", text: "男方以前的孩子" }));
    relation.value = (child && child.relation) || "both";
    const date = el("input", { type: "date", id: dateId, value: (child && child.birth_date) || "" });
    const row = el("li", { class: "card" },
      el("p", { class: "label", text: "第" + n + "个孩子" }),
      el("div", { class: "field" }, el("label", { for: dateId, text: "出生日期" }), date),
      el("div", { class: "field" }, el("label", { for: relationId, text: "是谁的孩子" }), relation),
      el("span", { class: "problem", "data-problem": "existing_children." + n }),
      el("button", { type: "button", class: "danger", on: { click: () => { row.remove(); changed(); } } }, "删去这个孩子"));
    // What this form cannot show (a child who died, an adopted one, as staff recorded it)
    // must survive a fix or a correction unchanged: it decides the child order.
    const kept = {};
    for (const key of ["alive", "adopted"]) if (child && key in child) kept[key] = child[key];
    row.dataset.kept = JSON.stringify(kept);
    $("children").append(row);
  }

  function whenLabel() {
    const status = radio("pregnancy_status");
    $("when-field").hidden = status === "planning";
    $("when-label").textContent = status === "born" ? "孩子出生日期" : "预产期";
  }

  /* -- documents: a photo from the camera, or a signed promise ---------------------------- */
  function renderDocuments() {
    const rows = DOCS.map((doc) => {
      const state = documents[doc.kind] || {};
      const inputId = "file-" + doc.kind;
      const promiseId = "promise-" + doc.kind;
      const sentence = state.id ? "已上传，可以重拍。" : state.promised ? "已承诺后补。" : doc.required ? "还没交。" : "有就拍一张，没有可以不交。";
      const file = el("input", { type: "file", id: inputId, accept: "image/*", capture: "environment",
        "aria-label": "拍照上传" + doc.label, on: { change: (event) => upload(doc, event.target) } });
      const promise = el("input", { type: "checkbox", id: promiseId, checked: !!state.promised, on: { change: (event) => { documents[doc.kind] = event.target.checked ? { promised: true } : {}; renderDocuments(); changed(); } } });
      return el("div", { class: "doc" },
        el("p", { class: "label", text: doc.label }),
        el("p", { class: "doc-state", id: "state-" + doc.kind, text: (state.id ? "✓ " : "") + sentence }),
        el("div", { class: "file-pick button wide" }, el("span", { "aria-hidden": "true", text: state.id ? "重新拍照" : "拍照上传" }), file),
        doc.required && !state.id ? el("label", { class: "choice", for: promiseId }, promise, "暂时没有，我承诺后补") : null);
    });
    $("documents").replaceChildren(...rows);
    progress();
  }

  /* Phone cameras take 4-12 MB photos; 2000 px on the long side reads as well and uploads in
     a few seconds on a slow network. */
  async function shrink(file) {
    if (!file.type.startsWith("image/") || file.size < 1500000 || !window.createImageBitmap) return file;
    try {
      const bitmap = await createImageBitmap(file);
      const scale = Math.min(1, MAX_PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
      const canvas = el("canvas", { width: Math.round(bitmap.width * scale), height: Math.round(bitmap.height * scale) });
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
      return blob || file;
    } catch (err) {
      return file;
    }
  }

  async function upload(doc, input) {
    const picked = input.files && input.files[0];
    if (!picked) return;
    await H5.act(null, async () => {
      H5.busy("正在上传" + doc.label + "，请稍候……");
      const file = await shrink(picked);
      const data = new FormData();
      data.append("kind", doc.kind);
      data.append("file", file, picked.name || "photo.jpg");
      const stored = await api("POST", "/me/uploads", { form: data,
        idempotent: "upload:" + doc.kind, keyBody: [doc.kind, picked.name, picked.size, picked.lastModified].join("|") });
      documents[doc.kind] = { id: stored.id };
      renderDocuments();
      changed();
      $("state-" + doc.kind).focus();
    });
  }

  /* -- where the form stands, said in a sentence -------------------------------------------- */
  function missingItems(data) {
    const missing = [];
    if (!data.filer_role) missing.push("选择谁来填写");
    for (const path of ["mother.name", "mother.id_number", "father.name", "father.id_number"]) {
      const [role, key] = path.split(".");
      if (!data[role][key]) missing.push(FIELD_NAMES[path]);
    }
    const filerPhone = data.filer_role ? data.filer_role + ".phone" : null;
    if (filerPhone && !data[data.filer_role].phone) missing.push(FIELD_NAMES[filerPhone]);
    if (!data.pregnancy_status) missing.push("怀孕情况");
    else if (data.pregnancy_status !== "planning" && !data.expected_or_birth_date) missing.push(data.pregnancy_status === "born" ? "孩子出生日期" : "预产期");
    if (!data.village_id) missing.push("登记的村（社区）");
    for (const doc of DOCS) {
      const state = documents[doc.kind] || {};
      if (doc.required && !state.id && !state.promised) missing.push(doc.label + "照片");
    }
    return missing;
  }

  function progress() {
    const missing = missingItems(collect());
    $("progress").textContent = missing.length
      ? "还差" + missing.join("、") + "。"
      : "都填好了，请点最下面的“" + $("submit").textContent + "”。";
  }

  /* -- the draft, kept on the server ---------------------------------------------------- */
  function changed() {
    progress();
    if (editing) return;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveDraft, 1200);
  }
  async function saveDraft() {
    clearTimeout(saveTimer);
    const data = collect();
    data.uploaded = Object.entries(documents).filter(([, d]) => d.id).map(([kind, d]) => ({ kind, id: d.id }));
    try {
      await api("PUT", "/me/registration-draft", { body: { data } });
      $("draft-state").textContent = "已自动保存，下次进来接着填。";
    } catch (err) {
      $("draft-state").textContent = "这次没保存上：" + err.message;
    }
  }

  function showProblems(details) {
    for (const span of form.querySelectorAll("[data-problem]")) span.textContent = "";
    for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    let first = null;
    for (const [path, message] of Object.entries(details || {})) {
      const span = form.querySelector(`[data-problem="${path}"]`);
      if (span) span.textContent = message;
      const input = form.querySelector(`[data-field="${path}"]`);
      if (input) {
        input.setAttribute("aria-invalid", "true");
        first = first || input;
      }
    }
    if (first) first.focus();
  }

  async function submit(event) {
    event.preventDefault();
    await saveDraft();
    await H5.act($("submit"), async () => {
      H5.busy("正在提交，请稍候……");
      const body = collect();
      try {
        const saved = correcting
          ? await requestCorrection(editing, body)
          : editing
            ? await api("PUT", "/me/registrations/" + editing, { body })
            : await api("POST", "/me/registrations", { body, idempotent: "registration" });
        editing = null;
        correcting = false;
        showStatus(saved);
      } catch (err) {
        if (err.code === "registration.consent_required") {
          await startConsent();
          throw err;
        }
        showProblems(err.details);
        throw err;
      }
    });
  }

  /* The correction endpoint takes no Idempotency-Key; the move approved -> under review is
     made once. A second send (the first answer lost on a slow network) is refused as an
     illegal move: if the registration is now under review, the first one went through. */
  async function requestCorrection(id, body) {
    try {
      return await api("POST", `/me/registrations/${id}/correction`, { body });
    } catch (err) {
      if (err.code !== "registration.illegal_transition") throw err;
      const now = await api("GET", "/me/registrations/" + id);
      if (now.status !== "correction_requested") throw err;
      return now;
    }
  }

  /* -- consent ------------------------------------------------------------------------------ */
  let consentVersion = null;
  async function startConsent() {
    const consent = await api("GET", CONSENT_PATH);
    consentVersion = consent.version;
    $("consent-title").textContent = "请先看一下《" + consent.title + "》";
    $("consent-text").replaceChildren(...(consent.paragraphs || []).map((line) => el("p", { text: line })));
    show("view-consent");
  }
  async function agree() {
    await H5.act($("consent-agree"), async () => {
      await api("POST", "/me/consents", { body: { text_version: consentVersion }, idempotent: "consent" });
      await openForm(null);
    });
  }

  /* -- status --------------------------------------------------------------------------------- */
  function showStatus(reg) {
    $("status-sentence").textContent = "您的生育登记（" + reg.status_label + "）：" + (STATUS_SENTENCE[reg.status] || "");
    const facts = [["申请编号", reg.application_no], ["提交时间", H5.timeText(reg.submitted_at)]];
    if (reg.status === "submitted" && reg.due_at) facts.push(["预计办好", H5.dateText(reg.due_at) + "之前"]);
    if (reg.registration_number) facts.push(["登记编号", reg.registration_number]);
    if (reg.certificate_code) facts.push(["凭证核验码", reg.certificate_code]);
    if (reg.reject_reason) facts.push(["原因", reg.reject_reason]);
    $("status-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
    const items = reg.status === "returned" ? reg.return_items || [] : [];
    $("return-list").replaceChildren(...items.map((item) => el("li", { text: (FIELD_NAMES[item.field] ? FIELD_NAMES[item.field] + "：" : "") + item.message })));
    $("return-items").hidden = items.length === 0;
    const actions = [];
    if (reg.status === "returned") {
      actions.push(el("button", { type: "button", class: "primary wide", on: { click: () => openForm(reg) } }, "按要求修改，再交一次"));
    }
    $("correction-next").hidden = reg.status !== "correction_requested";
    const decided = lastCorrectionDecision(reg);
    $("correction-decided").textContent = reg.status === "approved" && decided ? decided : "";
    if (reg.certificate_code) {
      actions.push(el("button", { type: "button", class: "primary wide", id: "certificate",
        on: { click: (event) => H5.act(event.currentTarget, () => H5.download(`/me/registrations/${reg.id}/certificate.pdf`, `登记凭证-${reg.registration_number}.pdf`)) } }, "保存登记凭证（PDF）"));
      actions.push(el("a", { class: "button wide", href: "/verify/" + encodeURIComponent(reg.certificate_code) }, "查看凭证核验页"));
    }
    if (reg.status === "approved") {
      actions.push(el("button", { type: "button", class: "wide", id: "correction-open", on: { click: () => openCorrection(reg) } }, "信息有误，申请更正"));
    }
    if (reg.status === "submitted" || reg.status === "returned") {
      actions.push(el("button", { type: "button", class: "danger wide", on: { click: (event) => withdraw(event.currentTarget, reg) } }, "不办了，撤回申请"));
    }
    if (["withdrawn", "rejected", "approved"].includes(reg.status)) {
      actions.push(el("button", { type: "button", class: "wide", on: { click: () => startConsent().catch((err) => H5.showAlert(err.message)) } }, "再办一份新的登记"));
    }
    $("status-actions").replaceChildren(...actions);
    show("view-status");
  }

  /* After a reviewer decided on her last correction: what they said, in a sentence. */
  function lastCorrectionDecision(reg) {
    const history = reg.history || [];
    const last = history[history.length - 1];
    if (!last || last.from_status !== "correction_requested" || last.to_status !== "approved") return "";
    return "您上次申请的更正，工作人员已经审核：" + (last.note || "已审核") + "。详情在“我的消息”里。";
  }

  /* After approval: the same form, filled with what is registered; what she changes is
     reviewed before it replaces the record, and the certificate stands until then. */
  function openCorrection(reg) {
    editing = reg.id;
    correcting = true;
    fill(reg, reg.documents);
    $("form-title").textContent = "申请更正登记信息";
    $("correction-help").hidden = false;
    $("submit").textContent = "提交更正申请";
    $("save-draft").hidden = true;
    $("cancel-correction").hidden = false;
    showProblems({});
    progress();
    show("view-form");
  }

  async function withdraw(button, reg) {
    if (!window.confirm("确定撤回这份申请吗？撤回后要重新填写。")) return;
    await H5.act(button, async () => showStatus(await api("POST", `/me/registrations/${reg.id}/withdraw`)));
  }

  /* -- opening the form: a fix of a returned one, the draft, or what is known ------------- */
  async function openForm(returned) {
    $("correction-help").hidden = true;
    $("cancel-correction").hidden = true;
    correcting = false;
    if (returned) {
      editing = returned.id;
      fill(returned, returned.documents);
      $("form-title").textContent = "修改后再交";
      $("submit").textContent = "改好了，再交一次";
      $("save-draft").hidden = true;
      show("view-form");
      showProblems(Object.fromEntries((returned.return_items || []).filter((i) => i.field).map((i) => [i.field, i.message])));
      return;
    }
    editing = null;
    // The same form served a fix or a correction earlier in this visit.
    $("form-title").textContent = "填写生育登记";
    $("submit").textContent = "提交登记";
    $("save-draft").hidden = false;
    const draft = (await api("GET", "/me/registration-draft")).data || {};
    if (Object.keys(draft).length) {
      fill(draft, draft.uploaded);
      $("draft-state").textContent = "这是您上次没填完的，接着填就行。";
    } else {
      const known = (await api("GET", "/me/registrations/prefill")).data || {};
      if (known.me) {
        // What her profile knows is about herself; she says below whether she is the mother.
        fill({ filer_role: "mother", mother: known.me });
      } else {
        fill(known);
      }
      if (Object.keys(known).length) $("draft-state").textContent = "已经帮您填上了以前登记过的信息，请核对。";
    }
    show("view-form");
  }

  async function loadVillages() {
    const townships = await api("GET", "/regions");
    villages = townships.flatMap((t) => t.villages.map((v) => ({ ...v, township: t.name })));
    $("village").append(...villages.map((v) => el("option", { value: v.id, text: v.township + " " + v.name })));
  }

  function villageChosen() {
    const village = villages.find((v) => String(v.id) === getValue("village_id"));
    if (!village) return;
    for (const role of ["mother", "father"]) if (!getValue(role + ".hukou_region")) setValue(role + ".hukou_region", village.code.slice(0, 6));
  }

  async function start() {
    try {
      await loadVillages();
      const mine = await api("GET", "/me/registrations");
      const open = mine.find((r) => !["withdrawn", "rejected"].includes(r.status));
      if (open) showStatus(open);
      else if (Object.keys((await api("GET", "/me/registration-draft")).data || {}).length) await openForm(null);
      else await startConsent();
    } catch (err) {
      $("loading").textContent = "没有打开：" + err.message;
    }
  }

  H5.helpFacts = () => {
    const data = collect();
    const me = data[data.filer_role || "mother"] || {};
    const village = $("village").selectedOptions[0];
    return { phone: me.phone, name: me.name, village: village && village.value ? village.textContent : null,
      villageId: village && village.value ? village.value : null };
  };
  form.addEventListener("input", changed);
  form.addEventListener("change", (event) => {
    if (event.target.name === "pregnancy_status") whenLabel();
    if (event.target.id === "village") villageChosen();
    changed();
  });
  form.addEventListener("submit", submit);
  $("add-child").addEventListener("click", () => { addChild(null); changed(); });
  $("save-draft").addEventListener("click", (event) => H5.act(event.currentTarget, saveDraft));
  $("cancel-correction").addEventListener("click", () => H5.act(null, async () => {
    const id = editing;
    editing = null;
    correcting = false;
    showStatus(await api("GET", "/me/registrations/" + id));
  }));
  $("consent-agree").addEventListener("click", agree);
  start();
})();
