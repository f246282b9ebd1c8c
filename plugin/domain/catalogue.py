"""The two-way module catalogue: parsing and validating module and framework files (TOML).

Pure standard library. Every error names the file, the field (a dotted path) and the line, so an
author can fix a file from the message alone. See ``curricula/README.md`` for the schema.
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

LANGUAGES = ("en", "nl")
EVIDENCE_KINDS = ("note", "link", "file", "observation")
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
REF_RE = re.compile(r"^(?P<framework>[a-z]+):(?P<competence>[A-Za-z0-9.]+)@(?P<level>-?\d+)$")


class MentorFunction(enum.StrEnum):
    """The seed's five mentor functions."""

    CHALLENGING_ASSIGNMENTS = "challenging_assignments"
    RELATIONSHIP_COACHING = "relationship_coaching"
    PERSONAL = "personal"
    SKILLS = "skills"
    PROFESSIONAL = "professional"


class Side(enum.StrEnum):
    """Who teaches a track."""

    DIGITAL_MENTOR = "digital_mentor"
    SENIOR_EXPERT = "senior_expert"


#: track key -> (who teaches it, frameworks its competences come from)
TRACKS: dict[str, tuple[Side, tuple[str, ...]]] = {
    "digital": (Side.DIGITAL_MENTOR, ("digcomp",)),
    "expertise": (Side.SENIOR_EXPERT, ("entrecomp", "lifecomp")),
}


class CatalogueError(Exception):
    """A file that cannot be accepted; ``str()`` is ``file:line: field: message``."""

    def __init__(self, filename: str, field: str, line: int | None, message: str) -> None:
        self.filename, self.field, self.line, self.message = filename, field, line, message
        where = f"{filename}:{line}" if line else filename
        super().__init__(f"{where}: {field}: {message}" if field else f"{where}: {message}")


@dataclass(frozen=True)
class Localized:
    """A text in every interface language."""

    en: str
    nl: str

    def get(self, language: str) -> str:
        """The text in ``language`` (English when that language is unknown)."""
        return self.nl if language == "nl" else self.en


@dataclass(frozen=True)
class Level:
    number: int
    name: Localized
    description: Localized


@dataclass(frozen=True)
class Competence:
    framework: str
    id: str
    area: str
    title: Localized
    description: Localized


@dataclass(frozen=True)
class Area:
    id: str
    title: Localized
    competences: tuple[Competence, ...]


@dataclass(frozen=True)
class Framework:
    """A competence framework (DigComp 2.2, EntreComp, LifeComp)."""

    id: str
    version: str
    title: Localized
    levels: tuple[Level, ...]
    areas: tuple[Area, ...]
    citation: str = ""
    licence: str = ""

    @property
    def competences(self) -> dict[str, Competence]:
        return {c.id: c for a in self.areas for c in a.competences}


@dataclass(frozen=True)
class CompetenceRef:
    """``digcomp:2.6@4``: a competence of a framework at a proficiency level."""

    framework: str
    competence: str
    level: int

    def __str__(self) -> str:
        return f"{self.framework}:{self.competence}@{self.level}"


@dataclass(frozen=True)
class Objective:
    id: str
    text: Localized
    criteria: tuple[Localized, ...]
    evidence: tuple[str, ...]
    competences: tuple[CompetenceRef, ...]


@dataclass(frozen=True)
class Track:
    key: str
    taught_by: Side
    title: Localized
    summary: Localized
    objectives: tuple[Objective, ...]
    activities: tuple[Localized, ...]

    @property
    def learned_by(self) -> Side:
        return Side.SENIOR_EXPERT if self.taught_by is Side.DIGITAL_MENTOR else Side.DIGITAL_MENTOR

    @property
    def competences(self) -> tuple[CompetenceRef, ...]:
        seen: dict[str, CompetenceRef] = {}
        for objective in self.objectives:
            for ref in objective.competences:
                seen.setdefault(str(ref), ref)
        return tuple(seen.values())


@dataclass(frozen=True)
class Module:
    """One two-way module at one version."""

    slug: str
    version: int
    mentor_function: MentorFunction
    duration_weeks: int
    sessions: int
    title: Localized
    summary: Localized
    tracks: tuple[Track, Track]
    #: sha256 of the content (formatting and comments do not count)
    digest: str = field(compare=False)
    source: str = field(compare=False, repr=False, default="")

    def track(self, key: str) -> Track:
        return next(t for t in self.tracks if t.key == key)

    def summary_dict(self) -> dict[str, Any]:
        """What ``tandem curricula list --json`` prints for the module."""
        return {
            "slug": self.slug,
            "version": self.version,
            "mentor_function": self.mentor_function.value,
            "title": {"en": self.title.en, "nl": self.title.nl},
            "tracks": {
                t.key: {
                    "taught_by": t.taught_by.value,
                    "objectives": [{"id": o.id, "en": o.text.en, "nl": o.text.nl} for o in t.objectives],
                }
                for t in self.tracks
            },
        }


# ---------------------------------------------------------------- where a field is


def _line_index(text: str) -> dict[str, int]:
    """Dotted path (arrays as ``name[i]``) -> line number, for keys and table headers of a TOML text."""
    index: dict[str, int] = {}
    counters: dict[str, int] = {}
    current = ""
    header = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?\s*(?:#.*)?$")
    key = re.compile(r"^\s*([A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*)\s*=")

    def resolve(dotted: str) -> str:
        parts, out = dotted.split("."), []
        for part in parts:
            out.append(part)
            joined = ".".join(out)
            if joined in counters:
                out[-1] = f"{part}[{counters[joined]}]"
        return ".".join(out)

    for number, line in enumerate(text.splitlines(), start=1):
        match = header.match(line)
        if match:
            dotted = match.group(2).replace('"', "").replace("'", "").replace(" ", "")
            if match.group(1) == "[[":
                counters[dotted] = counters.get(dotted, -1) + 1
                # a new array element forgets the sub-arrays of the previous one
                for name in [n for n in counters if n.startswith(dotted + ".")]:
                    del counters[name]
            current = resolve(dotted)
            parts = current.split(".")
            for end in range(1, len(parts) + 1):  # a table's parents start here too, if nowhere earlier
                index.setdefault(".".join(parts[:end]), number)
            continue
        match = key.match(line)
        if match:
            path = f"{current}.{match.group(1)}" if current else match.group(1)
            index.setdefault(path, number)
    return index


class _Checker:
    """Walks one parsed file; the first problem raises CatalogueError with file, field and line."""

    def __init__(self, filename: str, text: str) -> None:
        self.filename = filename
        self.text = text
        self._lines: dict[str, int] | None = None

    def line(self, path: str) -> int | None:
        """The line of ``path``, or of its nearest enclosing key or table."""
        if self._lines is None:
            self._lines = _line_index(self.text)
        probe = path
        while probe:
            if probe in self._lines:
                return self._lines[probe]
            if probe.endswith("]"):
                probe = probe[: probe.rindex("[")]
            elif "." in probe:
                probe = probe.rsplit(".", 1)[0]
            else:
                break
        return None

    def fail(self, path: str, message: str) -> CatalogueError:
        return CatalogueError(self.filename, path, self.line(path), message)

    def table(self, data: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
        value = data.get(key)
        if value is None:
            raise self.fail(path, "is missing")
        if not isinstance(value, Mapping):
            raise self.fail(path, f"must be a table, not {type(value).__name__}")
        return value

    def only(self, data: Mapping[str, Any], allowed: Iterable[str], path: str) -> None:
        unknown = sorted(set(data) - set(allowed))
        if unknown:
            sub = f"{path}.{unknown[0]}" if path else unknown[0]
            raise self.fail(sub, f"is not a known field (expected one of {', '.join(sorted(allowed))})")

    def string(self, data: Mapping[str, Any], key: str, path: str) -> str:
        value = data.get(key)
        if value is None:
            raise self.fail(path, "is missing")
        if not isinstance(value, str):
            raise self.fail(path, f"must be text, not {type(value).__name__}")
        if not value.strip():
            raise self.fail(path, "is empty")
        return value.strip()

    def integer(self, data: Mapping[str, Any], key: str, path: str, low: int, high: int) -> int:
        value = data.get(key)
        if value is None:
            raise self.fail(path, "is missing")
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(path, f"must be a whole number, not {type(value).__name__}")
        if not low <= value <= high:
            raise self.fail(path, f"must be from {low} to {high}, not {value}")
        return value

    def array(self, data: Mapping[str, Any], key: str, path: str, minimum: int) -> list[Any]:
        value = data.get(key)
        if value is None:
            raise self.fail(path, "is missing")
        if not isinstance(value, list):
            raise self.fail(path, f"must be a list, not {type(value).__name__}")
        if len(value) < minimum:
            raise self.fail(path, f"needs at least {minimum} entries, has {len(value)}")
        return value

    def localized(self, data: Any, path: str) -> Localized:
        if data is None:
            raise self.fail(path, "is missing")
        if not isinstance(data, Mapping):
            raise self.fail(path, f"must be a table with {' and '.join(LANGUAGES)}, not {type(data).__name__}")
        self.only(data, LANGUAGES, path)
        texts = {}
        for lang in LANGUAGES:
            name = {"en": "English", "nl": "Dutch"}[lang]
            value = data.get(lang)
            if value is None or (isinstance(value, str) and not value.strip()):
                raise self.fail(f"{path}.{lang}", f"{name} text is missing")
            if not isinstance(value, str):
                raise self.fail(f"{path}.{lang}", f"must be text, not {type(value).__name__}")
            texts[lang] = value.strip()
        if texts["en"] == texts["nl"] and len(texts["en"].split()) > 3:
            raise self.fail(f"{path}.nl", "Dutch text is the English text: it is not translated")
        return Localized(**texts)


# ---------------------------------------------------------------- frameworks


def parse_framework(text: str, filename: str) -> Framework:
    """A competence framework file.

    Raises:
        CatalogueError: the file is not valid.
    """
    check = _Checker(filename, text)
    data = _load(text, filename)
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


# ---------------------------------------------------------------- modules

_MODULE_KEYS = ("slug", "version", "mentor_function", "duration_weeks", "sessions", "title", "summary", "tracks")
_TRACK_KEYS = ("taught_by", "title", "summary", "objectives", "activities")
_OBJECTIVE_KEYS = ("id", "text", "criteria", "evidence", "competences")


def _load(text: str, filename: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise CatalogueError(filename, "", line, f"not valid TOML: {message}") from None


def digest_of(data: Mapping[str, Any]) -> str:
    """A stable fingerprint of a module's content."""
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def parse_ref(value: Any) -> CompetenceRef | None:
    """``digcomp:2.6@4`` -> CompetenceRef, or None when it is not of that form."""
    if not isinstance(value, str):
        return None
    match = REF_RE.match(value.strip())
    if not match:
        return None
    return CompetenceRef(match.group("framework"), match.group("competence"), int(match.group("level")))


def parse_module(text: str, filename: str, frameworks: Mapping[str, Framework]) -> Module:
    """A module file, checked against the schema and the frameworks.

    Raises:
        CatalogueError: the first problem, with file, field and line.
    """
    check = _Checker(filename, text)
    data = _load(text, filename)
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


@dataclass(frozen=True, eq=False)
class Catalogue:
    """The frameworks and the modules (every version), read-only."""

    frameworks: Mapping[str, Framework]
    modules: Mapping[tuple[str, int], Module]

    def get(self, slug: str, version: int | None = None) -> Module | None:
        """A module at ``version``, or its latest version."""
        if version is not None:
            return self.modules.get((slug, version))
        versions = [m for (s, _), m in self.modules.items() if s == slug]
        return max(versions, key=lambda m: m.version) if versions else None

    def latest(self) -> list[Module]:
        """The latest version of every module, by English title."""
        slugs = {slug for slug, _ in self.modules}
        return sorted((self.get(s) for s in slugs), key=lambda m: m.title.en)  # type: ignore[return-value, arg-type]

    def competence(self, ref: CompetenceRef) -> Competence | None:
        framework = self.frameworks.get(ref.framework)
        return framework.competences.get(ref.competence) if framework else None


def check_versions(modules: Iterable[Module], lock: Mapping[str, Mapping[str, str]], filename_of: Mapping[str, str]) -> list[CatalogueError]:
    """Errors for modules whose content changed while their version stayed (``lock``: slug -> version -> digest)."""
    errors = []
    for module in modules:
        known = lock.get(module.slug, {})
        recorded = known.get(str(module.version))
        if recorded is not None and recorded != module.digest:
            check = _Checker(filename_of.get(module.slug, module.slug), module.source)
            errors.append(check.fail("version", f"content changed but version {module.version} did not: raise the version"))
        newer = [int(v) for v in known if int(v) > module.version]
        if newer:
            check = _Checker(filename_of.get(module.slug, module.slug), module.source)
            errors.append(check.fail("version", f"version {module.version} is lower than the published version {max(newer)}"))
    return errors
