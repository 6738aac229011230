"""``flask --app wsgi …`` commands: seed, wx chat, jobs worker."""
from __future__ import annotations

from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from wxapp.dev_setup import service_url
from wxapp.transactions import commit

wx_cli = AppGroup("wx", help="Talk to the service as WeChat would.")
jobs_cli = AppGroup("jobs", help="Background jobs.")
keys_cli = AppGroup("keys", help="Data encryption keys.")
faq_cli = AppGroup("faq", help="The FAQ knowledge base.")
supplies_cli = AppGroup("supplies", help="Free contraceptives: the stock ledger.")


@supplies_cli.command("check")
def supplies_check_command() -> None:
    """Verify that stock equals the sum of the ledger everywhere (账、卡、物相符)."""
    from wxapp.services.supplies.ledger import ledger_problems

    problems = ledger_problems()
    for problem in problems:
        click.echo(problem)
    if problems:
        raise click.ClickException(f"{len(problems)} difference(s) between stock and ledger")
    click.echo("stock matches the ledger")


@click.command("check")
def check_command() -> None:
    """Verify a restored database before letting residents in: migrations at head, the keys
    decrypt and find a sample, stock equals the ledger. Exits non-zero on any problem."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from wxapp.extensions import db
    from wxapp.services.restore_check import check_restored_database

    migrate = current_app.extensions["migrate"]
    heads = set(ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
                .get_heads())
    current = set(MigrationContext.configure(db.session.connection()).get_current_heads())
    report = check_restored_database(current, heads)
    for line in report.passed:
        click.echo(f"ok: {line}")
    for line in report.problems:
        click.echo(f"PROBLEM: {line}")
    if report.problems:
        raise click.ClickException(f"{len(report.problems)} problem(s): do not serve from "
                                   "this database with these keys")
    click.echo("the restored database is ready")


@faq_cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "yaml"]), default="json",
              show_default=True)
def faq_export_command(fmt: str) -> None:
    """Print every entry (JSON list of objects, or YAML in the shipped file's shape)."""
    import json

    import yaml

    from wxapp.services.faq import admin as faq_admin

    entries = faq_admin.export_entries()
    if fmt == "json":
        click.echo(json.dumps(entries, ensure_ascii=False, indent=2))
    else:
        click.echo(yaml.safe_dump({"version": 1, "categories": faq_admin.known_categories(),
                                   "entries": entries}, allow_unicode=True, sort_keys=False))


@faq_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def faq_import_command(path: str) -> None:
    """Validate and load a JSON or YAML file; a bad file changes nothing."""
    from pathlib import Path

    from wxapp.faq.knowledge_base import KnowledgeBaseError, load_knowledge_base
    from wxapp.services.faq import admin as faq_admin

    try:
        kb = load_knowledge_base(Path(path).read_text(encoding="utf-8"))
    except KnowledgeBaseError as exc:
        raise click.ClickException("nothing imported: " + "; ".join(exc.problems))
    raw = [{"code": e.code, "category": e.category, "question": e.question,
            "similar_questions": list(e.similar_questions), "keywords": list(e.keywords),
            "answer": e.answer, "enabled": e.enabled} for e in kb.entries]
    counts = faq_admin.import_entries(raw, categories=kb.categories or None)
    commit()
    click.echo("imported: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@click.command("seed")
@click.option("--demo", is_flag=True, help="Also add a demo township, staff accounts and more.")
def seed_command(demo: bool) -> None:
    """Load the default data (safe to run again)."""
    from wxapp.formats.spreadsheets import CHINA
    from wxapp.seeding import seed as seeding

    counts = seeding.seed_default()
    if demo:
        if current_app.config["WXAPP"].is_production:
            raise click.UsageError("demo data is for development machines only")
        counts.update(seeding.seed_demo())
        counts.update(seeding.seed_demo_activity())
        counts.update(seeding.seed_demo_clinic_day())
    commit()
    click.echo("seeded: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    if demo:
        click.echo(f"demo staff password: {seeding.DEMO_STAFF_PASSWORD} "
                   "(users demo-admin, demo-reviewer, demo-village, demo-clinic)")
        click.echo(f"staff console: {service_url()}console/ with those accounts; demo-admin "
                   "and demo-reviewer set up two-step sign-in at their first sign-in (scan the "
                   "QR code with any authenticator app, or type the secret shown)")
        codes = seeding.demo_clinic_day_codes(datetime.now(CHINA).date())
        click.echo("today is a clinic day at the first demo clinic: demo-clinic can check in "
                   f"the couples booked with the codes {', '.join(codes)}, then record results")


@wx_cli.command("chat")
@click.option("--url", default=lambda: service_url() + "wechat",
              show_default="http://127.0.0.1:$PORT/wechat, PORT else 5000",
              help="The service's /wechat callback URL.")
@click.option("--user", default="terminal-user", show_default=True,
              help="Who is chatting (becomes the sender openid).")
@click.option("--safe-mode", is_flag=True, help="Encrypt pushes (WeChat's safe mode).")
@click.option("--compatible-mode", is_flag=True, help="WeChat's compatible mode.")
def chat_command(url: str, user: str, safe_mode: bool, compatible_mode: bool) -> None:
    """Chat with the official account from this terminal."""
    from wxapp.wechat.chat import run_chat

    s = current_app.config["WXAPP"]
    mode = "safe" if safe_mode else "compatible" if compatible_mode else "plaintext"
    run_chat(url, s.wechat_token, s.wechat_encoding_aes_key, s.wechat_app_id,
             openid=f"o_terminal_{user}", mode=mode)


RERUN_HELP = ("Run even though this period's work already ran (never while another "
              "instance runs it).")


@jobs_cli.command("daily")
@click.option("--rerun", is_flag=True, help=RERUN_HELP)
def daily_command(rerun: bool) -> None:
    """The once-a-day work (run it from cron or a systemd timer, e.g. at 08:00). With several
    instances, every instance's timer may fire: one runs it per China date, the rest skip."""
    from wxapp.jobs.schedule import run_once_per_period

    _report(run_once_per_period("daily", _daily_work, rerun=rerun))


def _daily_work() -> str:
    from wxapp.services.registration.deadline_notices import remind_reviewers_of_deadlines
    from wxapp.services.screening.notices import send_day_before_reminders
    from wxapp.services.screening.schedules import generate_slots
    from wxapp.services.supplies.feedback import ask_follow_up_questions
    from wxapp.services.supplies.ledger import flag_near_expiry
    from wxapp.web.idempotency import delete_expired_records

    added = remind_reviewers_of_deadlines()
    asked = ask_follow_up_questions()
    flagged = flag_near_expiry()
    reminded = send_day_before_reminders()
    opened = generate_slots()
    forgotten = delete_expired_records()
    commit()
    return (f"deadline reminders: {added}; pickup follow-ups asked: {asked}; "
            f"near-expiry batches flagged: {flagged}; check reminders: {reminded}; "
            f"slots opened: {opened}; expired idempotency answers deleted: {forgotten}")


@jobs_cli.command("frequent")
@click.option("--rerun", is_flag=True, help=RERUN_HELP)
def frequent_command(rerun: bool) -> None:
    """The every-minute work: expire unused pickup codes, mark silent cabinets offline, ask
    staff about dispenses no cabinet reported, pass lapsed waitlist offers on. Once per China
    minute, however many instances run it."""
    from wxapp.jobs.schedule import run_once_per_period

    _report(run_once_per_period("frequent", _frequent_work, rerun=rerun))


def _frequent_work() -> str:
    from wxapp.services.screening.bookings import expire_offers
    from wxapp.services.staff_alerts import send_pending_alerts
    from wxapp.services.supplies.cabinets import mark_silent_cabinets_offline
    from wxapp.services.supplies.dispense_checks import flag_unreported
    from wxapp.services.supplies.feedback import warn_of_expiring_codes
    from wxapp.services.supplies.pickups import expire_overdue

    expired = expire_overdue()
    offline = mark_silent_cabinets_offline()
    unreported = flag_unreported()
    lapsed = expire_offers()
    warned = warn_of_expiring_codes()
    commit()
    # After the commit: the alerts just made above are among those texted.
    texted = send_pending_alerts()
    commit()
    return (f"pickup codes expired: {expired}; cabinets marked offline: {offline}; "
            f"dispenses to check: {unreported}; waitlist offers lapsed: {lapsed}; "
            f"codes about to expire told: {warned}; staff alerts texted: {texted}")


def _report(run) -> None:
    if run.ran:
        click.echo(run.result)
    elif run.reason == "already_ran":
        click.echo("skipped: another instance already ran this period's work")
    else:
        click.echo("skipped: another instance is running this period's work")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run background jobs."""
    from wxapp.extensions import redis_is_real
    from wxapp.jobs import run_worker

    if not redis_is_real():
        raise click.UsageError("REDIS_URL is not set: jobs already run inline in the web process")
    run_worker(burst=burst)


@keys_cli.command("rotate")
def rotate_command() -> None:
    """Re-encrypt personal data with DATA_ENCRYPTION_KEY (old keys in DATA_ENCRYPTION_OLD_KEYS)."""
    from wxapp.services.key_rotation import rotate_all

    for column, count in rotate_all().items():
        click.echo(f"{column}: {count} re-encrypted")


def register_cli(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(check_command)
    app.cli.add_command(wx_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(faq_cli)
    app.cli.add_command(supplies_cli)
