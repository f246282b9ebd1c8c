"""Parsing and validating framework and module files (TOML), and the version lock."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from plugin.domain.catalogue.checker import Checker, load_toml
from plugin.domain.catalogue.model import (
    EVIDENCE_KINDS,
    SLUG_RE,
    TRACKS,
    Area,
    CatalogueError,
    Competence,
    Framework,
    Level,
    MentorFunction,
    Module,
    Objective,
    Track,
    parse_ref,
)


def parse_framework(text: str, filename: str) -> Framework:
    """A competence framework file.

    Raises:
        CatalogueError: the file is not valid.
    """
    check = Checker(filename, text)
    data = load_toml(text, filename)
    fid = check.string(data, "id", "id")
    levels = []
    for i, raw in enumerate(check.array(data, "levels", "levels", 8)):
        path = f"levels[{i}]"
        number = check.integer(raw, "number", f"{path}.number", 1, 8)
        levels.append(Level(number, check.localized(raw.get("name"), f"{path}.name"), check.localized(raw.get("description"), f"{path}.description")))
    if [lv.number for lv in levels] != list(range(1, 9)):
        raise check.fail("levels", "must be the levels 1 to 8, in order")
    areas = []
    for i, raw in enumerate(check.array(data, "areas", "areas", 1)):
        path = f"areas[{i}]"
        aid = check.string(raw, "id", f"{path}.id")
        comps = []
        for j, craw in enumerate(check.array(raw, "competences", f"{path}.competences", 1)):
            cpath = f"{path}.competences[{j}]"
            comps.append(
                Competence(
                    fid,
                    check.string(craw, "id", f"{cpath}.id"),
                    aid,
                    check.localized(craw.get("title"), f"{cpath}.title"),
                    check.localized(craw.get("description"), f"{cpath}.description"),
                )
            )
        areas.append(Area(aid, check.localized(raw.get("title"), f"{path}.title"), tuple(comps)))
    source = data.get("source") if isinstance(data.get("source"), Mapping) else {}
    return Framework(
        id=fid,
        version=str(data.get("version", "")),
        title=check.localized(data.get("title"), "title"),
        levels=tuple(levels),
        areas=tuple(areas),
        citation=str(source.get("citation", "")),
        licence=str(source.get("licence", "")),
    )


_MODULE_KEYS = ("slug", "version", "mentor_function", "duration_weeks", "sessions", "title", "summary", "tracks")
_TRACK_KEYS = ("taught_by", "title", "summary", "objectives", "activities")
_OBJECTIVE_KEYS = ("id", "text", "criteria", "evidence", "competences")


def digest_of(data: Mapping[str, Any]) -> str:
    """A stable fingerprint of a module's content."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def parse_module(text: str, filename: str, frameworks: Mapping[str, Framework]) -> Module:
    """A module file, checked against the schema and the frameworks.

    Raises:
        CatalogueError: the first problem, with file, field and line.
    """
    check = Checker(filename, text)
    data = load_toml(text, filename)
    check.only(data, _MODULE_KEYS, "")
    slug = check.string(data, "slug", "slug")
    if not SLUG_RE.match(slug):
        raise check.fail("slug", f"{slug!r} must be lowercase letters, digits and hyphens")
    version = check.integer(data, "version", "version", 1, 10_000)
    function_name = check.string(data, "mentor_function", "mentor_function")
    try:
        function = MentorFunction(function_name)
    except ValueError:
        raise check.fail("mentor_function", f"{function_name!r} is not one of {', '.join(m.value for m in MentorFunction)}") from None
    weeks = check.integer(data, "duration_weeks", "duration_weeks", 1, 104)
    sessions = check.integer(data, "sessions", "sessions", 1, 52)
    title = check.localized(data.get("title"), "title")
    summary = check.localized(data.get("summary"), "summary")
    tracks_raw = check.table(data, "tracks", "tracks")
    check.only(tracks_raw, TRACKS, "tracks")
    tracks = []
    objective_ids: set[str] = set()
    for key, (side, allowed_frameworks) in TRACKS.items():
        path = f"tracks.{key}"
        if key not in tracks_raw:
            raise check.fail(path, "track is missing: every module has a digital and an expertise track")
        raw = tracks_raw[key]
        if not isinstance(raw, Mapping):
            raise check.fail(path, f"must be a table, not {type(raw).__name__}")
        check.only(raw, _TRACK_KEYS, path)
        taught_by = check.string(raw, "taught_by", f"{path}.taught_by")
        if taught_by != side.value:
            raise check.fail(f"{path}.taught_by", f"the {key} track is taught by {side.value}, not {taught_by!r}")
        objectives = []
        for i, oraw in enumerate(check.array(raw, "objectives", f"{path}.objectives", 3)):
            opath = f"{path}.objectives[{i}]"
            if not isinstance(oraw, Mapping):
                raise check.fail(opath, "must be a table")
            check.only(oraw, _OBJECTIVE_KEYS, opath)
            oid = check.string(oraw, "id", f"{opath}.id")
            if oid in objective_ids:
                raise check.fail(f"{opath}.id", f"objective id {oid!r} is used twice in this module")
            objective_ids.add(oid)
            criteria = tuple(check.localized(c, f"{opath}.criteria[{j}]") for j, c in enumerate(check.array(oraw, "criteria", f"{opath}.criteria", 1)))
            evidence = check.array(oraw, "evidence", f"{opath}.evidence", 1)
            for kind in evidence:
                if kind not in EVIDENCE_KINDS:
                    raise check.fail(f"{opath}.evidence", f"{kind!r} is not one of {', '.join(EVIDENCE_KINDS)}")
            refs = []
            for value in check.array(oraw, "competences", f"{opath}.competences", 1):
                ref = parse_ref(value)
                if ref is None:
                    raise check.fail(f"{opath}.competences", f"{value!r} is not a reference like digcomp:2.6@4")
                if ref.framework not in allowed_frameworks:
                    raise check.fail(f"{opath}.competences", f"{value} : the {key} track refers to {' or '.join(allowed_frameworks)} only")
                framework = frameworks.get(ref.framework)
                if framework is None or ref.competence not in framework.competences:
                    raise check.fail(f"{opath}.competences", f"{value} : unknown competence {ref.framework}:{ref.competence}")
                if not 1 <= ref.level <= 8:
                    raise check.fail(f"{opath}.competences", f"{value} : level must be from 1 to 8, not {ref.level}")
                refs.append(ref)
            objectives.append(
                Objective(oid, check.localized(oraw.get("text"), f"{opath}.text"), criteria, tuple(dict.fromkeys(evidence)), tuple(refs))
            )
        activities = tuple(check.localized(a, f"{path}.activities[{j}]") for j, a in enumerate(check.array(raw, "activities", f"{path}.activities", 1)))
        tracks.append(
            Track(
                key=key,
                taught_by=side,
                title=check.localized(raw.get("title"), f"{path}.title"),
                summary=check.localized(raw.get("summary"), f"{path}.summary"),
                objectives=tuple(objectives),
                activities=activities,
            )
        )
    return Module(
        slug=slug,
        version=version,
        mentor_function=function,
        duration_weeks=weeks,
        sessions=sessions,
        title=title,
        summary=summary,
        tracks=(tracks[0], tracks[1]),
        digest=digest_of(data),
        source=text,
    )


def check_versions(modules: Iterable[Module], lock: Mapping[str, Mapping[str, str]], filename_of: Mapping[str, str]) -> list[CatalogueError]:
    """Errors for modules whose content changed while their version stayed (``lock``: slug -> version -> digest)."""
    errors = []
    for module in modules:
        known = lock.get(module.slug, {})
        recorded = known.get(str(module.version))
        if recorded is not None and recorded != module.digest:
            check = Checker(filename_of.get(module.slug, module.slug), module.source)
            errors.append(check.fail("version", f"content changed but version {module.version} did not: raise the version"))
        newer = [int(v) for v in known if int(v) > module.version]
        if newer:
            check = Checker(filename_of.get(module.slug, module.slug), module.source)
            errors.append(check.fail("version", f"version {module.version} is lower than the published version {max(newer)}"))
    return errors
