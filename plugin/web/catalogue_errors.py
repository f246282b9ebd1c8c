"""An upload's error in plain words, in the page language.

The catalogue's errors (``plugin.domain.catalogue.CatalogueError``) name the file, the line, the
field as a dotted path and an English message. Here the path becomes words ("Digital track ›
Objective 2 › Dutch text") and each known message a translated sentence; a message not known
here is shown as it is, so a new check in the domain never hides an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from plugin.domain.catalogue import CatalogueError

_TYPES = {
    "str": _l("text"),
    "int": _l("a whole number"),
    "float": _l("a decimal number"),
    "bool": _l("true or false"),
    "list": _l("a list"),
    "dict": _l("a table"),
    "datetime": _l("a date and time"),
    "date": _l("a date"),
    "time": _l("a time"),
}

_FIELDS: dict[str, Any] = {
    "slug": _l("Slug (the module's name in web addresses)"),
    "version": _l("Version"),
    "mentor_function": _l("Mentor function"),
    "duration_weeks": _l("Duration in weeks"),
    "sessions": _l("Number of sessions"),
    "title": _l("Title"),
    "summary": _l("Summary"),
    "tracks": _l("Tracks"),
    "digital": _l("Digital track"),
    "expertise": _l("Expertise track"),
    "taught_by": _l("Taught by"),
    "objectives": _l("Objectives"),
    "criteria": _l("Sign-off criteria"),
    "evidence": _l("Evidence"),
    "competences": _l("Competences"),
    "activities": _l("Activities"),
    "text": _l("Text"),
    "id": _l("Id"),
    "en": _l("English text"),
    "nl": _l("Dutch text"),
}
_NUMBERED: dict[str, Callable[[int], Any]] = {
    "objectives": lambda n: _l("Objective %(n)s", n=n),
    "criteria": lambda n: _l("Sign-off criterion %(n)s", n=n),
    "activities": lambda n: _l("Activity %(n)s", n=n),
}
_PART = re.compile(r"^(?P<name>[A-Za-z0-9_\-]+)(?:\[(?P<index>\d+)\])?$")


def _found(name: str) -> Any:
    return _TYPES.get(name, name)


_MESSAGES: tuple[tuple[re.Pattern[str], Callable[[dict[str, str]], Any]], ...] = tuple(
    (re.compile(pattern), render)
    for pattern, render in (
        (r"^is missing$", lambda g: _l("This is missing.")),
        (r"^is empty$", lambda g: _l("This is empty.")),
        (r"^must be a table with en and nl, not (?P<found>\w+)$", lambda g: _l("This must be a table with an English (en) and a Dutch (nl) text, not %(found)s.", found=_found(g["found"]))),
        (r"^must be a table, not (?P<found>\w+)$", lambda g: _l("This must be a table (a section with its own keys), not %(found)s.", found=_found(g["found"]))),
        (r"^must be text, not (?P<found>\w+)$", lambda g: _l("This must be text, not %(found)s.", found=_found(g["found"]))),
        (r"^must be a whole number, not (?P<found>\w+)$", lambda g: _l("This must be a whole number, not %(found)s.", found=_found(g["found"]))),
        (r"^must be a list, not (?P<found>\w+)$", lambda g: _l("This must be a list, not %(found)s.", found=_found(g["found"]))),
        (r"^must be from (?P<low>-?\d+) to (?P<high>-?\d+), not (?P<value>-?\d+)$", lambda g: _l("This must be a number from %(low)s to %(high)s, not %(value)s.", **g)),
        (r"^needs at least (?P<minimum>\d+) entries, has (?P<count>\d+)$", lambda g: _l("This needs at least %(minimum)s entries; the file has %(count)s.", **g)),
        (r"^is not a known field \(expected one of (?P<expected>.*)\)$", lambda g: _l("Tandem does not know this field. Expected one of: %(expected)s.", **g)),
        (r"^English text is missing$", lambda g: _l("The English text is missing.")),
        (r"^Dutch text is missing$", lambda g: _l("The Dutch text is missing.")),
        (r"^Dutch text is the English text: it is not translated$", lambda g: _l("The Dutch text is the same as the English text: it is not translated.")),
        (r"^not valid TOML: (?P<detail>.*)$", lambda g: _l("The file is not valid TOML: %(detail)s.", **g)),
        (r"^'(?P<value>.*)' must be lowercase letters, digits and hyphens$", lambda g: _l("“%(value)s” may only contain lowercase letters, digits and hyphens.", **g)),
        (r"^'(?P<value>.*)' is not one of (?P<expected>.*)$", lambda g: _l("“%(value)s” is not allowed here. Choose one of: %(expected)s.", **g)),
        (r"^track is missing: .*$", lambda g: _l("This track is missing: every module has a digital track and an expertise track.")),
        (r"^the \w+ track is taught by (?P<side>\w+), not '(?P<value>.*)'$", lambda g: _l("This track is taught by “%(side)s”, not “%(value)s”.", **g)),
        (r"^objective id '(?P<value>.*)' is used twice in this module$", lambda g: _l("The objective id “%(value)s” is used twice in this module; every objective needs its own id.", **g)),
        (r"^'(?P<value>.*)' is not a reference like digcomp:2\.6@4$", lambda g: _l("“%(value)s” is not a competence reference. Write it like digcomp:2.6@4: framework, competence and level.", **g)),
        (r"^(?P<value>\S+) : the \w+ track refers to (?P<allowed>.+) only$", lambda g: _l("“%(value)s”: this track may only refer to competences of %(allowed)s.", value=g["value"], allowed=", ".join(g["allowed"].split(" or ")))),
        (r"^(?P<value>\S+) : unknown competence (?P<competence>\S+)$", lambda g: _l("“%(value)s”: the competence %(competence)s does not exist in that framework.", **g)),
        (r"^(?P<value>\S+) : level must be from 1 to 8, not (?P<level>-?\d+)$", lambda g: _l("“%(value)s”: the level must be from 1 to 8, not %(level)s.", **g)),
        (r"^duplicate slug '(?P<value>.*)': .*$", lambda g: _l("Tandem already ships a module with the slug “%(value)s”. Choose another slug.", **g)),
        (r"^content changed but version (?P<version>\d+) did not: .*$", lambda g: _l("Version %(version)s was uploaded before with other content. Raise the version number to upload your changes.", **g)),
        (r"^version (?P<version>\d+) is lower than version (?P<higher>\d+) already uploaded$", lambda g: _l("Version %(version)s is lower than version %(higher)s, which was already uploaded. Use a higher version number.", **g)),
        (r"^version (?P<version>\d+) was withdrawn$", lambda g: _l("Version %(version)s was withdrawn and cannot be offered again. Upload the module with a higher version number.", **g)),
        (r"^not UTF-8 text$", lambda g: _l("The file is not UTF-8 text. Save it as UTF-8 and upload it again.")),
    )
)


@dataclass(frozen=True)
class ErrorReport:
    """One upload error, for people: where it is and what is wrong, plus the technical line."""

    filename: str
    line: int | None
    field: str  # the dotted path, as in the file
    field_words: str  # the path in words, in the page language
    message: str  # in the page language
    technical: str  # file:line: field: message, as ``tandem curricula check`` prints it


def field_in_words(path: str) -> str:
    """``tracks.digital.objectives[1].text.nl`` -> "Digital track › Objective 2 › Text › Dutch text"."""
    words = []
    for part in path.split("."):
        if part == "tracks" and path != "tracks":
            continue  # "Digital track" says it already
        match = _PART.match(part)
        if match and match.group("index") is not None and match.group("name") in _NUMBERED:
            words.append(str(_NUMBERED[match.group("name")](int(match.group("index")) + 1)))
        else:
            words.append(str(_FIELDS.get(part, part)))
    return " › ".join(words)


def message_in_words(message: str) -> str:
    """The catalogue's English ``message`` as a sentence in the page language (as it is when unknown)."""
    for pattern, render in _MESSAGES:
        match = pattern.match(message)
        if match:
            return str(render(match.groupdict()))
    return message


def explain(error: CatalogueError) -> ErrorReport:
    """The report shown for ``error`` (call it while rendering, so it takes the page language)."""
    return ErrorReport(
        filename=error.filename,
        line=error.line,
        field=error.field,
        field_words=field_in_words(error.field) if error.field else "",
        message=message_in_words(error.message),
        technical=str(error),
    )
