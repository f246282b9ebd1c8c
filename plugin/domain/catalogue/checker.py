"""Where a field is, and the checks every catalogue file goes through: each failure names the file, the
field (a dotted path) and the line, so an author can fix a file from the message alone."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

from plugin.domain.catalogue.model import LANGUAGES, CatalogueError, Localized


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


class Checker:
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


def load_toml(text: str, filename: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise CatalogueError(filename, "", line, f"not valid TOML: {message}") from None
