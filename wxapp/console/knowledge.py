"""The bot's knowledge base, for the township office and reviewers: the entries, an entry's
editor with "try before saving", and the questions the bot could not answer.

Every change goes through the FAQ service the staff API uses (``services.faq.admin``: its
validation, its audit rows, the live index rebuilt in every worker after the commit). Trying
a question (``services.faq.trial``) only reads: nothing is logged or counted, and the edit is
tried on a throwaway index, never on the one residents are answered from. A form sent twice
changes nothing the second time: an edit finds nothing left to change, a new entry finds its
code taken by the same content, a group of questions finds itself already attached."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from wxapp.china_time import to_china
from wxapp.console.access import console_required
from wxapp.console.knowledge_forms import (
    EDITABLE,
    NEW_ROWS,
    EntryForm,
    parse_entry_form,
    version_of,
)
from wxapp.errors import NotFound, ValidationFailed
from wxapp.services.faq import admin as faq_admin
from wxapp.services.faq import fact_guard, not_ours, trial
from wxapp.web.blueprint import Blueprint
from wxapp.web.files import download

bp = Blueprint("console_knowledge", __name__, url_prefix="/console/knowledge")
EDITORS = ("township_admin", "reviewer")
MAX_TRIAL_CHARS = 500
MAX_LOG_IDS = 500
OUTCOME_LABELS = {"answered": "直接回答", "suggested": "给出几个可能的问题让居民选",
                  "not_answered": "答不上来（请居民换个说法或转人工）",
                  "command": "当作指令处理（不查知识库）"}


def when(moment) -> str:
    return to_china(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# -- the list ----------------------------------------------------------------------------------
@bp.get("")
@console_required(*EDITORS)
def entries():
    categories = faq_admin.known_categories()
    category = request.args.get("category") or None
    if category not in categories:
        category = None
    search = (request.args.get("q") or "")[:64].strip()
    found = faq_admin.list_entries(category, search=search)
    return render_template("console/knowledge/entries.html", entries=found,
                           categories=categories, category=category, search=search, when=when,
                           unanswered=len(faq_admin.unanswered_groups()))


# -- one entry ---------------------------------------------------------------------------------
def _editor(form: EntryForm, *, entry: dict | None, status: int = 200, warnings=(),
            notice: str | None = None):
    saved_answer = entry["answer"] if entry else None
    shipped = fact_guard.shipped_answer(form.code) if entry else None
    return render_template(
        "console/knowledge/entry.html", form=form, entry=entry, warnings=list(warnings),
        notice=notice, categories=faq_admin.known_categories(),
        placeholders=fact_guard.placeholder_guide(), new_rows=NEW_ROWS, when=when,
        shipped=shipped if shipped and shipped.strip() != (saved_answer or "").strip()
        else None), status


def _form_of(entry: dict) -> EntryForm:
    return EntryForm(code=entry["code"], data={k: entry[k] for k in EDITABLE},
                     version=version_of(entry))


@bp.get("/new")
@console_required(*EDITORS)
def new_entry():
    question = (request.args.get("question") or "")[:200].strip()
    form = EntryForm(code="", data={"category": "", "question": question,
                                    "similar_questions": [], "keywords": [], "answer": "",
                                    "enabled": True})
    return _editor(form, entry=None)


@bp.post("/new")
@console_required(*EDITORS)
def create_entry():
    form = parse_entry_form(request.form, faq_admin.known_categories())
    if form.errors:
        return _editor(form, entry=None, status=422)
    warnings = fact_guard.answer_warnings(form.data["answer"], None)
    if warnings and not form.confirmed:
        return _editor(form, entry=None, status=422, warnings=warnings)
    try:
        faq_admin.create_entry(g.staff, {"code": form.code, **form.data})
    except ValidationFailed as refused:
        if refused.code == "faq.duplicate_code" and _same_as_saved(form):
            # The same form sent twice: the first one made it.
            flash(f"条目 {form.code} 已保存。", "success")
            return redirect(url_for(".entry", code=form.code), 303)
        field = "code" if refused.code == "faq.duplicate_code" else "form"
        message = (f"编码 {form.code} 已被其他条目使用，请换一个。"
                   if field == "code" else refused.message)
        form.errors[field] = message
        return _editor(form, entry=None, status=422)
    flash(f"已新增条目 {form.code}，机器人马上就会用它回答。", "success")
    return redirect(url_for(".entry", code=form.code), 303)


def _same_as_saved(form: EntryForm) -> bool:
    saved = faq_admin.entry_as_dict(faq_admin.get_entry(form.code))
    return all(saved[k] == form.data[k] for k in EDITABLE)


@bp.get("/<code>")
@console_required(*EDITORS)
def entry(code: str):
    saved = faq_admin.entry_as_dict(faq_admin.get_entry(code))
    return _editor(_form_of(saved), entry=saved)


@bp.post("/<code>")
@console_required(*EDITORS)
def save_entry(code: str):
    saved = faq_admin.entry_as_dict(faq_admin.get_entry(code))
    form = parse_entry_form(request.form, faq_admin.known_categories(), code=code)
    if form.errors:
        return _editor(form, entry=saved, status=422)
    changes = {k: form.data[k] for k in EDITABLE if form.data[k] != saved[k]}
    if not changes:
        flash("内容没有变化，无需保存。", "info")
        return redirect(url_for(".entry", code=code), 303)
    current = version_of(saved)
    if form.version != current:
        form.version = current
        return _editor(form, entry=saved, status=409, notice=(
            "您打开此页后，这个条目已被修改（可能是其他同事）。下面是您填写的内容；"
            "请对照“现在保存的答案”核对，确认无误后再次保存。"))
    warnings = (fact_guard.answer_warnings(form.data["answer"], saved["answer"])
                if "answer" in changes else [])
    if warnings and not form.confirmed:
        return _editor(form, entry=saved, status=422, warnings=warnings)
    try:
        faq_admin.update_entry(g.staff, code, changes)
    except ValidationFailed as refused:
        form.errors["form"] = refused.message
        return _editor(form, entry=saved, status=422)
    flash("已保存修改，机器人马上就会按新内容回答。", "success")
    return redirect(url_for(".entry", code=code), 303)


# -- try before saving -------------------------------------------------------------------------
@bp.post("/try")
@console_required(*EDITORS)
def try_question():
    """What the bot answers ``trial_question`` now, and with the form's unsaved entry."""
    question = (request.form.get("trial_question") or "").strip()[:MAX_TRIAL_CHARS]
    original = request.form.get("original_code") or None
    if original is not None:
        faq_admin.get_entry(original)  # an unknown entry is a 404, not an empty comparison
    form = parse_entry_form(request.form, faq_admin.known_categories(), code=original)
    context = {"question": question, "outcomes": OUTCOME_LABELS, "form": form,
               "problems": [], "now": None, "after": None}
    if not question:
        context["problems"] = ["请先输入一个居民可能会问的问题。"]
    elif set(form.errors) - {"code"}:
        # The code only names the entry: a new one can be tried before it has one.
        context["problems"] = ["表单里有需要改正的地方，改正后才能试答："] + [
            message for name, message in form.errors.items() if name != "code"]
    else:
        edited = form.as_faq_entry()
        context["now"] = trial.answer_now(question)
        context["after"] = trial.answer_with_edit(question, edited, original)
        context["edited_code"] = edited.code
    return render_template("console/knowledge/_trial.html", **context)


# -- unanswered questions ----------------------------------------------------------------------
@bp.get("/unanswered")
@console_required(*EDITORS)
def unanswered():
    groups = faq_admin.unanswered_groups()
    for group in groups:
        group["closest"] = trial.closest_entries(group["representative"])
        # Asked before an edit taught the bot the phrasing: only marking it done is left.
        group["answered_now"] = trial.answer_now(group["representative"]).outcome == "answered"
    return render_template("console/knowledge/unanswered.html", groups=groups,
                           entries=faq_admin.list_entries(),
                           categories=faq_admin.known_categories())


def _log_ids() -> list[int]:
    """The log ids of the group a form on the unanswered page was sent for."""
    return [int(raw) for raw in request.form.getlist("log_ids")[:MAX_LOG_IDS]
            if raw.isascii() and raw.isdigit() and len(raw) <= 12]


@bp.post("/unanswered/attach")
@console_required(*EDITORS)
def attach():
    log_ids = _log_ids()
    code = request.form.get("code") or ""
    if not log_ids or not code:
        flash("请先选择要加入的条目。", "error")
        return redirect(url_for(".unanswered"), 303)
    try:
        entry, added = faq_admin.attach_group(g.staff, log_ids, code)
    except NotFound as missing:
        flash(missing.message, "error")
        return redirect(url_for(".unanswered"), 303)
    if added:
        flash(f"已把这组问题加为“{entry.question}”的相似问法，机器人以后会直接回答。", "success")
    else:
        flash(f"这组问题已经加到“{entry.question}”，无需重复操作。", "info")
    return redirect(url_for(".unanswered"), 303)


# -- questions that are not the office's business ----------------------------------------------
@bp.post("/unanswered/not-ours")
@console_required(*EDITORS)
def mark_not_ours():
    log_ids = _log_ids()
    if not log_ids:
        flash("请先选择要标记的问题。", "error")
        return redirect(url_for(".unanswered"), 303)
    try:
        question, marked = not_ours.mark(g.staff, log_ids)
    except NotFound as missing:
        flash(missing.message, "error")
        return redirect(url_for(".unanswered"), 303)
    if marked:
        flash(f"已把“{question}”这组问题标记为不属于本办业务，机器人以后遇到类似问题不会拿知识库的"
              "条目去回答。", "success")
    else:
        flash(f"“{question}”这组问题已经标记过，无需重复操作。", "info")
    return redirect(url_for(".unanswered"), 303)


@bp.get("/not-ours")
@console_required(*EDITORS)
def not_ours_list():
    return render_template("console/knowledge/not_ours.html", questions=not_ours.listed(),
                           when=when, pasted="", problem=None)


@bp.post("/not-ours")
@console_required(*EDITORS)
def add_not_ours():
    pasted = request.form.get("questions") or ""
    try:
        added, already = not_ours.add_listed(g.staff, pasted.splitlines())
    except ValidationFailed as invalid:
        # The list comes back as pasted, with what to change: nothing was added.
        return render_template("console/knowledge/not_ours.html", questions=not_ours.listed(),
                               when=when, pasted=pasted, problem=invalid.message), 422
    if added:
        flash(f"已添加 {added} 个问题" + (f"，另有 {already} 个原来就在列表中" if already else "")
              + "。机器人以后遇到类似问题不会拿知识库的条目去回答。", "success")
    else:
        flash("这些问题原来就都在列表中，无需重复操作。", "info")
    return redirect(url_for(".not_ours_list"), 303)


@bp.get("/not-ours.txt")
@console_required(*EDITORS)
def not_ours_download():
    text = not_ours.as_text(g.staff)
    name, ascii_name = not_ours.TEXT_FILE_NAMES
    return download(text.encode("utf-8"), "text/plain; charset=utf-8", name,
                    ascii_filename=ascii_name)


@bp.post("/not-ours/<int:question_id>/remove")
@console_required(*EDITORS)
def unmark_not_ours(question_id: int):
    text = not_ours.unmark(g.staff, question_id)
    if text is None:
        flash("这个问题已不在列表中，无需重复操作。", "info")
    else:
        flash(f"已把“{text}”移出列表；居民再问时机器人照常查知识库，问过的记录回到“没答上的问题”。",
              "success")
    return redirect(url_for(".not_ours_list"), 303)
