"""Every interface string exists in English and Dutch: a missing or untranslated Dutch text fails."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def test_every_string_is_translated_to_dutch():
    with open(ROOT / "plugin/translations/nl/LC_MESSAGES/messages.po", "rb") as fh:
        catalog = read_po(fh)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(s and s.strip() for s in strings):
            missing.append(message.id)
    assert not missing, f"untranslated: {missing[:10]}"


def test_catalog_covers_every_string_in_the_code():
    from babel.messages.extract import extract_from_dir

    with open(ROOT / "plugin/translations/nl/LC_MESSAGES/messages.po", "rb") as fh:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    method_map = [("plugin/**.py", "python"), ("lti/**.py", "python"), ("plugin/templates/**.html", "jinja2"), ("lti/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(str(ROOT), method_map=method_map, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    assert not (found - known), f"not in the catalog (run make translations): {sorted(found - known)[:10]}"
