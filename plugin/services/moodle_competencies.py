"""A competence framework as a CSV file for Moodle's "Import competency framework" tool.

Organisations that use Moodle's own competencies (learning plans, course competencies) load a
framework with *Site administration > Competencies > Import competency framework* (admin tool
``tool_lpimportcsv``). :func:`moodle_csv` writes the file that tool reads; it is the same format the
tool's "Export competency framework" writes, so the file looks like a Moodle export.

The format, as Moodle's source defines it (``moodle/moodle``):

* ``admin/tool/lpimportcsv/classes/framework_importer.php`` — ``list_required_headers()`` gives the
  14 columns in order (:data:`COLUMNS`, the strings of ``lang/en/tool_lpimportcsv.php``); without a
  column mapping the importer reads them *by position*, 0 to 13. A row whose "Is framework" is
  truthy in PHP (``"1"``; ``""`` and ``"0"`` are false) is the framework; every other row is a
  competency. The tree is built with ``add_children($framework, '')``: a competency whose
  "Parent ID number" equals another row's "ID number" is its child, one with an empty parent is a
  top-level competency. ID number and short name go through ``clean_param(PARAM_TEXT)`` and
  ``shorten_text(..., 100)``; competency ID numbers must be unique within the framework and the
  framework's ID number unique on the site (``competency*.php``: ``validate_idnumber``).
* ``admin/tool/lpimportcsv/classes/framework_exporter.php`` — the row layout: the framework row has
  an empty parent, the scale and scale configuration, "Is framework" ``1`` and the taxonomies;
  competency rows have "Rule outcome" ``0``, "Rule config" ``null`` and "Is framework" empty.
* ``lib/csvlib.class.php`` (``csv_import_reader::load_csv_content``) — the file is converted from
  the encoding the admin picks (default UTF-8) to UTF-8, a UTF-8 byte-order mark is removed if
  present (so none is needed and none is written), ``\\r\\n`` and ``\\r`` become ``\\n`` everywhere,
  the whole text is trimmed, and rows are read with PHP's ``fgetcsv`` using the delimiter the admin
  picks (comma, semicolon, colon or tab) and ``"`` as enclosure. Every row must have as many fields
  as the header. The exporter writes with ``fputcsv``: comma, ``"`` enclosure, quotes doubled,
  ``\\n`` line ends. This module writes the same: **UTF-8 without BOM, comma, minimal quoting with
  doubled quotes, ``\\n`` line ends**. The import form defaults to semicolon when the site language's
  list separator is ``;``: the admin must choose *comma* and *UTF-8* there.
  PHP's ``fgetcsv`` also treats ``\\`` as an escape character, so a backslash directly before a
  ``"`` (or at the end of a quoted field) would be misread: such plain-text values are refused
  (:class:`ValueError`), and in the HTML descriptions a backslash is written as ``&#92;``.
* ``lib/grade/grade_scale.php`` — "Scale values" is the scale's items joined with ``,``
  (``compact_items``; ``load_items`` splits on ``,`` and trims), so an item cannot contain a comma.
  The importer reuses a site scale whose items are exactly these, or creates
  "Competency scale: <framework short name>".
* ``competency/classes/competency_framework.php`` — "Scale configuration" is a JSON list: first
  ``{"scaleid": ...}`` (the importer replaces the id with the scale it found or created, so the value
  written here, ``"0"``, is a placeholder), then one ``{"id": n, "scaledefault": 0|1,
  "proficient": 0|1}`` per scale item, ``n`` being the item's position 1..n (Moodle's grade value
  for that item). ``validate_scaleconfiguration`` needs a default and at least one proficient item.
  "Taxonomy" is one term per depth of the tree, comma-separated, from ``behaviour, competency,
  concept, domain, indicator, level, outcome, practice, proficiency, skill, value``.
* ``lib/weblib.php`` — description formats: ``FORMAT_MOODLE`` 0, ``FORMAT_HTML`` 1,
  ``FORMAT_PLAIN`` 2, ``FORMAT_MARKDOWN`` 4.

Tandem's choices:

* ID numbers: ``<framework>`` for the framework (e.g. ``digcomp``), ``<framework>-area-<area>`` for
  an area (``digcomp-area-1``), ``<framework>-<competence>`` for a competence (``digcomp-2.6``): no
  spaces, stable across versions and languages (the English and Dutch files carry the same ID
  numbers, so a site can hold only one of them at a time under these ID numbers), and never purely
  numeric (the importer compares ID numbers with PHP's loose ``==``, which would equate ``"1.10"``
  and ``"1.1"``).
* Tree: the framework row, then the areas (taxonomy ``domain``, parent empty), then the
  competences (taxonomy ``competency``, parent = their area's ID number): taxonomies
  ``domain,competency``. Competences inherit the framework's scale (their scale columns are empty).
* Short name: the title in the language; a title longer than Moodle's 100 characters is cut at a
  word boundary and ends with ``…`` (the framework's full title is also in its description).
* Description: HTML, description format ``1`` (``FORMAT_HTML``, Moodle's default). A competency's
  description is cleaned as HTML (``PARAM_CLEANHTML``) whatever its format, so plain text with
  ``&`` or ``<`` would not survive as plain text; Tandem escapes the text (``&amp; &lt; &gt;``),
  puts each paragraph (blank-line separated) in ``<p>`` and turns single line breaks into
  ``<br />`` (the form Moodle's HTML cleaner writes). The framework's description is its title,
  the citation and the licence; an area's is its title; a competence's is its description.
* Scale: the framework's eight levels, named in the language, in order (ids 1..8). **Default:
  level 1** — Moodle gives the default rating when a competency is completed automatically (a
  course-completion or competency rule), so a site that uses such rules may prefer a higher
  ``default_level``. **Proficient: level 3 ("Intermediate") and above**, the first level at which
  the frameworks describe working independently; levels 1 and 2 ("Foundation") are not proficient.
  Both can be changed with ``default_level`` and ``proficient_from``.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re

from plugin.domain.catalogue import Framework

#: The header row Moodle's importer expects and its exporter writes, in order
#: (``framework_importer::list_required_headers()``, strings from ``lang/en/tool_lpimportcsv.php``).
COLUMNS: tuple[str, ...] = (
    "Parent ID number",
    "ID number",
    "Short name",
    "Description",
    "Description format",
    "Scale values",
    "Scale configuration",
    "Rule type (optional)",
    "Rule outcome (optional)",
    "Rule config (optional)",
    "Cross-referenced competency ID numbers",
    "Exported ID (optional)",
    "Is framework",
    "Taxonomy",
)

#: ``FORMAT_HTML`` in Moodle's ``lib/weblib.php``
FORMAT_HTML = 1
#: Moodle cuts ID numbers and short names to this many characters (``shorten_text(..., 100)``)
MAX_LENGTH = 100
#: Taxonomy terms for depth 1 (areas) and depth 2 (competences)
TAXONOMIES = ("domain", "competency")

_LABELS = {
    "en": {"source": "Source", "licence": "Licence"},
    "nl": {"source": "Bron", "licence": "Licentie"},
}


def _newlines(text: str) -> str:
    """``\\r\\n`` and ``\\r`` as ``\\n``, as Moodle's CSV reader makes them anyway."""
    return re.sub(r"\r\n?", "\n", text)


def _plain(value: str, what: str) -> str:
    """A plain-text field, refused when PHP's ``fgetcsv`` (escape character ``\\``) would misread it."""
    value = _newlines(value).strip()
    if '\\"' in value or value.endswith("\\"):
        raise ValueError(f"{what} {value!r}: a backslash before a quote or at the end cannot be imported by Moodle")
    return value


def _short_name(title: str, what: str) -> str:
    """The title, cut at a word boundary to Moodle's 100 characters when longer."""
    title = _plain(title, what)
    if len(title) <= MAX_LENGTH:
        return title
    cut = title[: MAX_LENGTH - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return _plain(cut.rstrip(" ,;:-") + "…", what)


def _html(*paragraphs: str) -> str:
    """Plain-text paragraphs as HTML: escaped, ``<p>`` per paragraph, ``<br />`` per line break."""
    out = []
    for text in paragraphs:
        for paragraph in re.split(r"\n[ \t]*\n", _newlines(text).strip()):
            paragraph = paragraph.strip()
            if not paragraph:
                continue
            lines = [html.escape(line.strip(), quote=False).replace("\\", "&#92;") for line in paragraph.split("\n")]
            out.append("<p>" + "<br />".join(lines) + "</p>")
    return "".join(out)


def _id(value: str, what: str) -> str:
    if not value or any(ch.isspace() for ch in value) or len(value) > MAX_LENGTH:
        raise ValueError(f"{what} ID number {value!r} must be 1 to {MAX_LENGTH} characters without spaces")
    return _plain(value, what)


def scale(framework: Framework, language: str = "en", *, default_level: int = 1, proficient_from: int = 3) -> tuple[str, str]:
    """The "Scale values" and "Scale configuration" cells for ``framework``'s levels."""
    names = []
    for level in framework.levels:
        name = _plain(level.name.get(language), f"level {level.number}")
        if "," in name or not name:
            raise ValueError(f"level {level.number} name {name!r}: a Moodle scale item cannot be empty or contain a comma")
        names.append(name)
    if not 1 <= default_level <= len(names) or not 1 <= proficient_from <= len(names):
        raise ValueError(f"default_level and proficient_from must be from 1 to {len(names)}")
    configuration: list[dict[str, object]] = [{"scaleid": "0"}]
    configuration += [
        {"id": position, "scaledefault": int(position == default_level), "proficient": int(position >= proficient_from)}
        for position in range(1, len(names) + 1)
    ]
    return ",".join(names), json.dumps(configuration, separators=(",", ":"))


def moodle_csv(framework: Framework, language: str = "en", *, default_level: int = 1, proficient_from: int = 3) -> str:
    """``framework`` as the CSV text Moodle's "Import competency framework" tool reads.

    The text is to be saved as UTF-8 (no BOM needed) and imported with delimiter *comma* and
    encoding *UTF-8*; see the module docstring for the format and the choices.

    Raises:
        ValueError: a text Moodle cannot take (a comma in a level name, a backslash before a quote
            in a plain-text field, an ID number with spaces or over 100 characters).
    """
    labels = _LABELS.get(language, _LABELS["en"])
    values, configuration = scale(framework, language, default_level=default_level, proficient_from=proficient_from)
    title = framework.title.get(language)
    about = [title]
    if framework.citation:
        about.append(f"{labels['source']}: {framework.citation}")
    if framework.licence:
        about.append(f"{labels['licence']}: {framework.licence}")
    framework_id = _id(framework.id, "framework")

    rows: list[list[str]] = [list(COLUMNS)]
    rows.append(
        [
            "",
            framework_id,
            _short_name(title, "framework title"),
            _html(*about),
            str(FORMAT_HTML),
            values,
            configuration,
            "",
            "",
            "",
            "",
            "",
            "1",
            ",".join(TAXONOMIES),
        ]
    )

    def competency(parent: str, idnumber: str, short_name: str, description: str) -> list[str]:
        return [parent, idnumber, short_name, description, str(FORMAT_HTML), "", "", "", "0", "null", "", "", "", ""]

    seen = {framework_id}

    def unique(idnumber: str) -> str:
        if idnumber in seen:
            raise ValueError(f"ID number {idnumber!r} is used twice")
        seen.add(idnumber)
        return idnumber

    area_ids = {}
    for area in framework.areas:
        area_ids[area.id] = unique(_id(f"{framework.id}-area-{area.id}", f"area {area.id}"))
        area_title = area.title.get(language)
        rows.append(competency("", area_ids[area.id], _short_name(area_title, f"area {area.id} title"), _html(area_title)))
    for area in framework.areas:
        for comp in area.competences:
            rows.append(
                competency(
                    area_ids[area.id],
                    unique(_id(f"{framework.id}-{comp.id}", f"competence {comp.id}")),
                    _short_name(comp.title.get(language), f"competence {comp.id} title"),
                    _html(comp.description.get(language)),
                )
            )

    out = io.StringIO()
    writer = csv.writer(out, delimiter=",", quotechar='"', doublequote=True, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue()
