"""Walk every route of ``app.url_map`` with hostile input: nothing may answer 5xx.

Every rule (but ``static``) is enumerated from the URL map, so a new route is walked without
touching this file. Each of its parameters gets bad values in turn (beyond the integer columns,
negative, zero, malformed, NUL bytes, non-UTF-8 escapes, unicode digits, 5,000 characters) while
the other parameters keep plausible values (the walkers' own tandem), for every method the rule
allows, as an anonymous visitor, a trainer and a learner who launched Tandem (real launches from
the test platform). POSTs carry a valid CSRF token so they reach the view. Every query parameter
and form field name the code reads (the forms' fields, and ``request.*.get("...")`` in the source)
is also sent with hostile values. A malformed id must be the ordinary 404 page (JSON on ``.json``
routes); background work the walk starts runs one at a time and may not crash either.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa
from flask_wtf import FlaskForm
from wtforms.fields.core import UnboundField

from tests.web.programme_support import active_tandem, token

PARAM = re.compile(r"<(?:([a-zA-Z_][a-zA-Z0-9_]*)(?:\([^)]*\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# route values that are never a valid id: the router itself must answer 404
BAD_INTS = (
    "0",
    "-1",
    "+1",
    "01",
    str(2**31),  # PostgreSQL's integer columns end at 2**31-1
    str(2**63 - 1),
    str(2**63),
    "99999999999999999999",
    "9" * 5000,
    "abc",
    "1e3",
    "%00",
    "1%00",
    "%ff%fe",
    "%D9%A1%D9%A2",  # Arabic-Indic digits (Python's int() would read them as 12)
    "%C2%B2",  # superscript two
    "%201",
)
# hostile strings (slugs, tokens, launch ids, file names): anything but a 5xx
BAD_STRINGS = (
    "%00",
    "a%00b",
    "x" * 5000,
    "%ff%fe",
    "%C3%A9t%C3%A9",
    "%F0%9F%A6%84",
    "%D9%A1",
    "..",
    "-1",
    "99999999999999999999",
    "%27%22%3C%3E",
    "%0A",
)
# valid ids nobody has: a lookup that finds nothing (404 or 403), never a crash
NONEXISTENT_INTS = ("123456", str(2**31 - 1))
NONEXISTENT_STRING = "no-such-thing"
# what every query parameter and form field the code reads is set to, one probe each (2,100 characters
# are more than the longest column, String(2048), holds)
BAD_INPUTS = ("a\x00b", "\u00b2", "99999999999999999999", "-1", "x" * 2100, "\udcff")
FORM = "application/x-www-form-urlencoded"
JOB = re.compile(r"/programme/jobs/(\d+)")
ROOT = Path(__file__).resolve().parents[2]
READS = re.compile(r"""(?:args|form|values|params|data)\.(?:get|getlist|pop)\(\s*["']([a-zA-Z_][a-zA-Z0-9_-]*)["']""")


def _input_names() -> list[str]:
    """Every query parameter or form field name Tandem reads: the forms' fields and the names the code reads by hand."""
    names: set[str] = set()
    forms = [FlaskForm]
    while forms:
        form = forms.pop()
        forms += form.__subclasses__()
        names |= {name for name, value in vars(form).items() if isinstance(value, UnboundField)}
    for package in ("plugin", "lti"):
        for source in (ROOT / package).rglob("*.py"):
            names |= set(READS.findall(source.read_text(encoding="utf-8")))
    names.discard("csrf_token")
    assert len(names) > 20, names
    return sorted(names)


def _query(names: list[str], value: str) -> str:
    return urlencode([(name, value) for name in names], errors="surrogateescape")


@dataclass(frozen=True)
class Client:
    """A test client speaking as one person (or nobody): their session cookie and a CSRF token."""

    name: str
    cookie: str | None
    csrf: str | None


@dataclass(frozen=True)
class Probe:
    method: str
    path: str
    rule: str
    must_be_404: bool  # a malformed id: the router answers 404 itself
    form: str | None = None  # form fields besides the CSRF token, URL-encoded


def _rules(app) -> list:
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    assert len(rules) > 30, "the URL map looks empty"
    return sorted(rules, key=lambda r: (r.rule, r.endpoint))


def _kinds(rule) -> dict[str, str]:
    """Each parameter's converter name (``default`` when none is given)."""
    return {name: conv or "default" for conv, name in PARAM.findall(rule.rule)}


def _build(rule, values: dict[str, str]) -> str:
    return PARAM.sub(lambda m: values[m.group(2)], rule.rule)


def _plausible(kind: str, name: str, tandem_id: int) -> str:
    """A value that gets past the router, so the probe reaches the view with the bad one."""
    if kind == "int":
        return str(tandem_id) if name == "tandem_id" else "1"
    return {"slug": "e-reputation", "framework_id": "digcomp"}.get(name, NONEXISTENT_STRING)


def _probes(app, tandem_id: int) -> Iterator[Probe]:
    names = _input_names()
    for rule in _rules(app):
        kinds = _kinds(rule)
        assert set(kinds) == set(rule.arguments), (rule.rule, kinds)
        plausible = {name: _plausible(kind, name, tandem_id) for name, kind in kinds.items()}
        paths: list[tuple[str, bool]] = []
        for name, kind in kinds.items():
            bad = BAD_INTS if kind == "int" else BAD_STRINGS
            paths += [(_build(rule, plausible | {name: value}), kind == "int") for value in bad]
            if kind == "int":
                paths += [(_build(rule, plausible | {name: value}), False) for value in NONEXISTENT_INTS]
        nonexistent = {name: NONEXISTENT_INTS[0] if kind == "int" else NONEXISTENT_STRING for name, kind in kinds.items()}
        bases = list(dict.fromkeys((_build(rule, plausible), _build(rule, nonexistent))))
        if kinds:  # a form posted empty to a page without parameters would start real work (a matching job)
            paths += [(base, False) for base in bases]
        for method in (m for m in METHODS if m in rule.methods):
            if method == "GET":
                yield from (
                    Probe(method, path, rule.rule, must_be_404)
                    for path, must_be_404 in paths + ([] if kinds else [(bases[0], False)])
                )
                yield from (Probe(method, f"{bases[0]}?{_query(names, value)}", rule.rule, False) for value in BAD_INPUTS)
            else:
                yield from (Probe(method, path, rule.rule, must_be_404) for path, must_be_404 in paths)
                yield from (Probe(method, bases[0], rule.rule, False, _query(names, value)) for value in BAD_INPUTS)


def _client(name: str, browser, tool) -> Client:
    csrf = token(browser, tool)  # also puts the CSRF secret in the session cookie
    return Client(name, browser.cookies.get("tandem_session"), csrf)


def _walk(app, clients: list[Client], tandem_id: int) -> list[str]:
    offenders: list[str] = []
    test_client = app.test_client(use_cookies=False)
    probes = list(_probes(app, tandem_id))
    for client in clients:
        headers = {"Cookie": f"tandem_session={client.cookie}"} if client.cookie else {}
        for probe in probes:
            data = (
                None
                if probe.method == "GET"
                else _query(["csrf_token"], client.csrf or "") + (f"&{probe.form}" if probe.form else "")
            )
            response = test_client.open(
                probe.path, method=probe.method, headers=headers, data=data, content_type=None if data is None else FORM
            )
            started = JOB.search(response.headers.get("Location", ""))
            if started:  # one thing at a time: background work (matching, roster sync) finishes before the next probe
                app.extensions["tandem_jobs"].wait(int(started.group(1)))
            label = f"{client.name} {probe.method} {probe.path[:120]} ({probe.rule}) -> {response.status_code}"
            if response.status_code >= 500:
                offenders.append(label)
            elif probe.must_be_404 and response.status_code != 404:
                offenders.append(label + " (a malformed id must be 404)")
            elif probe.must_be_404 and probe.rule.endswith(".json") and not response.is_json:
                offenders.append(label + " (a JSON route answers JSON)")
            elif probe.must_be_404 and b"Traceback" in response.data:
                offenders.append(label + " (a traceback)")
    return offenders + _failed_jobs(app)


def _failed_jobs(app) -> list[str]:
    """Background work the walk started (matching, roster sync): waited for, and none may have crashed."""
    from plugin.extensions import db
    from plugin.models import Job

    with app.app_context():
        for job_id in db.session.scalars(sa.select(Job.id)).all():
            app.extensions["tandem_jobs"].wait(job_id)
        db.session.expire_all()
        return [
            f"job {job.id} ({job.kind}) {job.status}: {job.message}"
            for job in db.session.scalars(sa.select(Job).where(Job.status == "failed"))
        ]


def test_every_route_survives_hostile_values_for_every_client(app, platform, tool):
    browsers, _, tandem_id = active_tandem(app, platform, tool, agreement=True)
    try:
        anonymous = Client("anonymous", None, None)
        clients = [anonymous, _client("trainer", browsers["trainer"], tool), _client("learner", browsers["digital"], tool)]
        assert all(c.cookie for c in clients[1:])
        offenders = _walk(app, clients, tandem_id)
    finally:
        for browser in browsers.values():
            browser.close()
    assert not offenders, f"{len(offenders)} bad responses:\n" + "\n".join(offenders)


def test_valid_ids_nobody_has_are_404_for_members(app, platform, tool):
    browsers, _, tandem_id = active_tandem(app, platform, tool, agreement=True)
    try:
        client = app.test_client(use_cookies=False)
        members = {
            who: {"Cookie": f"tandem_session={_client(who, browsers[key], tool).cookie}"}
            for who, key in (("trainer", "trainer"), ("learner", "digital"))
        }
        wrong = []
        for rule in _rules(app):
            kinds = _kinds(rule)
            if "GET" not in rule.methods or not kinds or set(kinds.values()) != {"int"}:
                continue
            for value in NONEXISTENT_INTS:
                variants = {_build(rule, {name: value for name in kinds})}
                if len(kinds) > 1 and "tandem_id" in kinds:  # the member's own tandem, something in it nobody has
                    variants.add(_build(rule, {name: str(tandem_id) if name == "tandem_id" else value for name in kinds}))
                for path in sorted(variants):
                    for who, cookie in members.items():
                        response = client.get(path, headers=cookie)
                        # 403 only where the role may not use the page at all (a learner on a trainer's page)
                        allowed = (404,) if "tandem_id" in kinds else (403, 404)
                        if response.status_code not in allowed or (rule.rule.endswith(".json") and not response.is_json):
                            wrong.append(f"{who} GET {path} -> {response.status_code}")
        assert not wrong, "ids nobody has must be 404 (403: not for this role):\n" + "\n".join(wrong)
        page = client.get("/tandems/99999999999999999999", headers=members["trainer"])
        assert page.status_code == 404 and "This page does not exist." in page.get_data(as_text=True)
        assert client.get("/tandems/99999999999999999999/signoffs/export.json", headers=members["trainer"]).is_json
        assert client.get(f"/tandems/{tandem_id}", headers=members["learner"]).status_code == 200  # the real one still opens
    finally:
        for browser in browsers.values():
            browser.close()
