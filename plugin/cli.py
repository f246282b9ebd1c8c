"""The ``tandem`` command: serving, database, platform registrations and keys."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from plugin.cli_common import configure_logs as _configure_logs
from plugin.cli_common import create_app_or_fail as _create_app
from plugin.cli_common import fail as _fail
from plugin.cli_serve import serve


@click.group("platform")
def platform_group() -> None:
    """Platform registrations (manual registration, for platforms without dynamic registration)."""


@platform_group.command("add")
@click.option("--issuer")
@click.option("--client-id")
@click.option("--deployment-id")
@click.option("--auth-url")
@click.option("--token-url")
@click.option("--jwks-url")
@click.option("--audience", default=None)
@click.option("--organisation", default=None)
@with_appcontext
def platform_add(**opts: str | None) -> None:
    """Register a platform, or add a deployment to an existing registration."""
    from plugin.domain.errors import RuleViolation
    from plugin.extensions import db
    from plugin.services.platforms import NewRegistration, add_registration, find_registration

    issuer, client_id, deployment_id = opts["issuer"], opts["client_id"], opts["deployment_id"]
    for name in ("issuer", "client_id", "deployment_id"):
        if not opts[name]:
            _fail(f"--{name.replace('_', '-')} is required")
    assert issuer and client_id and deployment_id
    existing = find_registration(db.session, issuer, client_id)
    urls = {k: opts[k] or (getattr(existing, attr) if existing else None) for k, attr in (("auth_url", "auth_login_url"), ("token_url", "auth_token_url"), ("jwks_url", "key_set_url"))}
    missing = [k for k, v in urls.items() if not v]
    if missing:
        _fail(f"--{missing[0].replace('_', '-')} is required for a new registration")
    try:
        info, _ = add_registration(
            db.session,
            NewRegistration(
                issuer=issuer,
                client_id=client_id,
                deployment_id=deployment_id,
                auth_login_url=urls["auth_url"] or "",
                auth_token_url=urls["token_url"] or "",
                key_set_url=urls["jwks_url"] or "",
                auth_audience=opts["audience"],
                organisation=opts["organisation"],
            ),
        )
        db.session.commit()
    except RuleViolation as exc:
        db.session.rollback()
        _fail(exc.message)
    click.echo(f"registered {info.issuer} client {info.client_id} deployments {', '.join(info.deployment_ids)} (organisation {info.organisation_name})")


@platform_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def platform_list(as_json: bool) -> None:
    """List registrations and their deployments."""
    from dataclasses import asdict

    from plugin.extensions import db
    from plugin.services.platforms import list_registrations

    regs = list_registrations(db.session)
    if as_json:
        click.echo(json.dumps([asdict(r) for r in regs], indent=2))
        return
    if not regs:
        click.echo("no platforms registered")
    for r in regs:
        click.echo(f"{r.issuer}\tclient {r.client_id}\tdeployments {', '.join(r.deployment_ids)}\torganisation {r.organisation_name}")


@click.group("keys")
def keys_group() -> None:
    """Tandem's signing keys."""


@keys_group.command("rotate")
@click.option("--retire-after-days", default=2.0, show_default=True, type=float, help="Retire keys superseded longer ago than this.")
@with_appcontext
def keys_rotate(retire_after_days: float) -> None:
    """Make a new signing key; the JWKS keeps serving the previous one until it is retired."""
    from datetime import timedelta

    from plugin.extensions import db
    from plugin.services import keys

    keys.active_keys(db.session)
    key, retired = keys.rotate(db.session, timedelta(days=retire_after_days))
    db.session.commit()
    click.echo(f"new signing key {key.kid}" + (f"; retired {', '.join(retired)}" if retired else ""))


@keys_group.command("list")
@with_appcontext
def keys_list() -> None:
    """List active keys, newest (the signing key) first."""
    from plugin.extensions import db
    from plugin.services import keys

    for i, key in enumerate(keys.active_keys(db.session)):
        click.echo(f"{key.kid}\t{key.created_at:%Y-%m-%d %H:%M}\t{'signing' if i == 0 else 'published'}")
    db.session.commit()


@keys_group.command("retire")
@click.argument("kid")
@with_appcontext
def keys_retire(kid: str) -> None:
    """Stop publishing key KID (never the only one)."""
    from plugin.extensions import db
    from plugin.services import keys

    if not keys.retire(db.session, kid):
        db.session.rollback()
        _fail(f"key {kid} is not an active key, or it is the only one")
    db.session.commit()
    click.echo(f"retired {kid}")


@click.group("curricula")
def curricula_group() -> None:
    """The two-way module catalogue."""


def _frameworks_or_fail(root):  # noqa: ANN001, ANN202
    from plugin.domain.catalogue import CatalogueError
    from plugin.services.curricula import load_frameworks

    try:
        return load_frameworks(root)
    except CatalogueError as exc:
        _fail(str(exc))


@curricula_group.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def curricula_check(paths: tuple[Path, ...]) -> None:
    """Validate module files (default: the shipped catalogue, frameworks and version lock)."""
    from plugin.services.curricula import check_files, default_root, read_lock

    from plugin.services import questionnaires

    root = default_root()
    frameworks = _frameworks_or_fail(root)
    # a file in a questionnaires/ folder is a self-assessment questionnaire; the rest are modules
    asked = [p for p in paths if p.parent.name != questionnaires.FOLDER]
    surveys = [p for p in paths if p.parent.name == questionnaires.FOLDER] if paths else sorted((root / questionnaires.FOLDER).glob("*.toml"))
    files = asked if paths else sorted((root / "modules").glob("*.toml"))
    modules, errors = check_files(files, frameworks, read_lock(root))
    found, survey_errors = questionnaires.check_files(surveys)
    for error in [*errors, *survey_errors]:
        click.echo(f"tandem: error: {error}", err=True)
    if errors or survey_errors:
        sys.exit(1)
    click.echo(f"{len(modules)} module(s) valid against {len(frameworks)} frameworks ({', '.join(sorted(frameworks))}); {len(found)} questionnaire(s) valid")


@curricula_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Slug, version, titles and per track who teaches it and its objectives.")
def curricula_list(as_json: bool) -> None:
    """List the shipped catalogue."""
    from plugin.domain.catalogue import CatalogueError
    from plugin.services.curricula import load_catalogue

    try:
        catalogue = load_catalogue()
    except CatalogueError as exc:
        _fail(str(exc))
    modules = catalogue.latest()
    if as_json:
        click.echo(json.dumps([m.summary_dict() for m in modules], indent=2, ensure_ascii=False))
        return
    for m in modules:
        click.echo(f"{m.slug}\tv{m.version}\t{m.mentor_function.value}\t{m.title.en}")


@curricula_group.command("lock")
def curricula_lock() -> None:
    """Record the content of every shipped module version (after raising versions of changed modules)."""
    from plugin.services.curricula import check_files, default_root, write_lock

    root = default_root()
    modules, errors = check_files(sorted((root / "modules").glob("*.toml")), _frameworks_or_fail(root), None)
    if errors:
        for error in errors:
            click.echo(f"tandem: error: {error}", err=True)
        sys.exit(1)
    write_lock(root, modules)
    click.echo(f"recorded {len(modules)} module version(s)")


@curricula_group.command("export-moodle")
@click.argument("framework_id")
@click.option("--lang", type=click.Choice(["en", "nl"]), default="en", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None, help="File to write (default: standard output).")
def curricula_export_moodle(framework_id: str, lang: str, output: Path | None) -> None:
    """Write FRAMEWORK (digcomp, entrecomp, lifecomp) as a CSV for Moodle's competency framework import."""
    from plugin.services.curricula import default_root
    from plugin.services.moodle_competencies import moodle_csv

    frameworks = _frameworks_or_fail(default_root())
    if framework_id not in frameworks:
        _fail(f"unknown framework {framework_id!r}; known: {', '.join(sorted(frameworks))}")
    text = moodle_csv(frameworks[framework_id], lang)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")


@click.command("match")
@click.option("--input", "input_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--output", "output_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
def match_command(input_path: Path, output_path: Path) -> None:
    """Match a whole pool offline: people.json in, pairs.json out (see docs/matching.md)."""
    from plugin.domain.errors import RuleViolation
    from plugin.services.matching_io import run

    try:
        result = run(input_path, output_path)
    except RuleViolation as exc:
        _fail(exc.message)
    click.echo(f"{len(result.pairs)} pair(s), {len(result.unmatched)} unmatched, total score {result.total}; wrote {output_path}")


#: seconds between two looks for due coffee rounds in `tandem worker`
COFFEE_EVERY = 60.0
#: seconds between two looks for due erasures and retention purges
ERASURE_EVERY = 300.0
#: seconds between two deliveries of the notifications outbox, and between two looks for due reminders
NOTIFY_EVERY = 5.0
REMINDERS_EVERY = 600.0


def _notifications(app: Flask):
    """The notifications outbox's delivery as a periodic task, or None when TANDEM_SMTP_URL is unset."""
    from plugin.adapters.smtp import SmtpMailer
    from plugin.services import notifications
    from plugin.web.notifications import EmailRenderer

    if not app.config.get("TANDEM_SMTP_URL"):
        return None
    mailer, renderer = SmtpMailer(app.config["TANDEM_SMTP_URL"]), EmailRenderer(app)
    policy = notifications.Policy(backoff_base=max(0.05, app.config["TANDEM_OUTBOX_BACKOFF"]))
    return lambda session: notifications.deliver(session, mailer, renderer, policy)


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then stop.")
@with_appcontext
def worker_command(once: bool) -> None:
    """Deliver the score outbox to the platforms' gradebooks and run due coffee rounds (run one or more next to `tandem serve`)."""
    import signal

    from flask import current_app

    from plugin.adapters import logs
    from plugin.extensions import db
    from plugin.services import coffee, erasure, notifications, outbox

    _configure_logs()
    logs.bind(logs.process_id("worker"))  # its log lines and platform calls (X-Request-ID) carry this id
    app = current_app._get_current_object()
    work = app.extensions["tandem_outbox_worker"]()
    if once:
        from lti.grades import sender_factory
        from plugin import outbox_policy

        ext = app.extensions["tandem_lti"]
        sent = outbox.run_once(db.session, sender_factory(ext.http, ext.tokens)(db.session), outbox_policy(app))
        click.echo(f"{sent} score(s) attempted; {outbox.pending_count(db.session)} pending")
        rounds = coffee.run_due_rounds(db.session)
        db.session.commit()
        click.echo(f"{len(rounds)} coffee round(s) made")
        notifications.run_periodic(db.session)
        db.session.commit()
        deliver = _notifications(app)
        click.echo(f"{deliver(db.session) if deliver else 0} notification email(s) sent; {notifications.pending_count(db.session)} pending")
        return
    work.every(COFFEE_EVERY, coffee.run_due_rounds)  # coffee rounds that are due (one per period: safe with several workers)
    work.every(ERASURE_EVERY, erasure.run_due)  # erasures past their grace period, retention purges
    work.every(REMINDERS_EVERY, notifications.run_periodic)  # event reminders, quiet tandems (once each: a unique key)
    if (deliver := _notifications(app)) is not None:
        work.every(NOTIFY_EVERY, deliver)  # notification emails over SMTP (leases: safe with several workers)
    signal.signal(signal.SIGTERM, lambda *_: work.stop())
    click.echo("tandem worker: delivering scores", err=True)
    try:
        work.run()
    except KeyboardInterrupt:
        work.stop()


def register_commands(app: Flask) -> None:
    """Attach Tandem's command groups to the app's CLI."""
    app.cli.add_command(serve)
    app.cli.add_command(worker_command)
    app.cli.add_command(platform_group)
    app.cli.add_command(keys_group)


def main() -> None:
    """Entry point of the ``tandem`` console script."""
    cli = FlaskGroup(create_app=_create_app, add_default_commands=False, add_version_option=False, load_dotenv=False, help="Tandem: two-way mentoring over LTI 1.3.")
    # Catalogue commands work without an app (and so on a catalogue that would stop Tandem).
    cli.add_command(curricula_group)
    cli.add_command(match_command)
    cli.main(prog_name="tandem")
