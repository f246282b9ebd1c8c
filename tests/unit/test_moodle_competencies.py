"""The Moodle competency-framework CSV: read back the way Moodle's importer reads it.

The reader below follows Moodle's source (moodle/moodle): ``lib/csvlib.class.php``
(``csv_import_reader::load_csv_content``: drop a UTF-8 BOM, ``\\r\\n`` -> ``\\n``, trim, ``fgetcsv`` with
the chosen delimiter and ``"``, every row as wide as the header),
``admin/tool/lpimportcsv/classes/framework_importer.php`` (columns by position, the row whose
"Is framework" is truthy in PHP is the framework, ``add_children($framework, '')`` builds the tree
from "Parent ID number", ``shorten_text(..., 100)``), ``lib/grade/grade_scale.php`` (scale items
split on ``,`` and trimmed) and ``competency/classes/competency_framework.php`` (scale
configuration: ``[{"scaleid": ...}, {"id", "scaledefault", "proficient"}, ...]`` with a default and
a proficient value; taxonomy terms).
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
import re

import pytest

from plugin.domain.catalogue import Framework, Localized
from plugin.services.curricula import default_root, load_frameworks
from plugin.services.moodle_competencies import COLUMNS, moodle_csv

MOODLE_HEADERS = [
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
]
TAXONOMY_TERMS = {
    "behaviour",
    "competency",
    "concept",
    "domain",
    "indicator",
    "level",
    "outcome",
    "practice",
    "proficiency",
    "skill",
    "value",
}
DESCRIPTION_FORMATS = {0, 1, 2, 4}  # FORMAT_MOODLE, FORMAT_HTML, FORMAT_PLAIN, FORMAT_MARKDOWN
COUNTS = {"digcomp": 21, "entrecomp": 15, "lifecomp": 9}
FRAMEWORKS = load_frameworks(default_root())


# ---------------------------------------------------------------- Moodle's reading, in Python


@dataclasses.dataclass
class Node:
    idnumber: str
    shortname: str
    description: str
    descriptionformat: int
    parent: str = ""
    children: list[Node] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Imported:
    framework: Node
    scale: list[str]
    configuration: list[dict]
    taxonomies: list[str]
    flat: dict[str, Node]

    def depth_of(self, node: Node) -> int:
        depth, parent = 1, node.parent
        while parent:
            depth, parent = depth + 1, self.flat[parent].parent
        return depth


def php_truthy(value: str) -> bool:
    return value not in ("", "0")


def html_to_text(description: str) -> str:
    """What a reader sees of an HTML description, as plain text."""
    paragraphs = re.findall(r"<p>(.*?)</p>", description, flags=re.S)
    assert "".join(f"<p>{p}</p>" for p in paragraphs) == description, description
    return "\n\n".join(html.unescape(p.replace("<br />", "\n")) for p in paragraphs)


def read_moodle_csv(text: str) -> Imported:
    """Read ``text`` as tool_lpimportcsv does, checking every rule it relies on."""
    # csv_import_reader::load_csv_content
    text = text.removeprefix("\ufeff")
    text = re.sub(r"\r\n?", "\n", text).strip()
    # PHP's fgetcsv treats "\" as an escape character: "\"" inside a field would be misread
    assert '\\"' not in text
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=",", quotechar='"')
    assert reader.fieldnames == MOODLE_HEADERS
    rows = list(reader)
    for row in rows:  # every row as wide as the header ("csvweirdcolumns" otherwise)
        assert None not in row and None not in row.values(), row

    frameworks = [row for row in rows if php_truthy(row["Is framework"])]
    assert len(frameworks) == 1
    top = frameworks[0]

    def node(row: dict[str, str]) -> Node:
        for column in ("ID number", "Short name"):  # shorten_text(clean_param(..., PARAM_TEXT), 100)
            assert row[column].strip() and len(row[column]) <= 100 and "<" not in row[column], row[column]
        assert int(row["Description format"]) in DESCRIPTION_FORMATS
        return Node(
            row["ID number"], row["Short name"], row["Description"], int(row["Description format"]), row["Parent ID number"]
        )

    framework = node(top)
    assert top["Parent ID number"] == ""
    flat: dict[str, Node] = {}
    for row in rows:
        if row is top:
            continue
        assert row["ID number"] not in flat, f"duplicate ID number {row['ID number']}"  # $flat[$idnumber]
        assert row["ID number"] != framework.idnumber
        assert row["Rule type (optional)"] == "" and int(row["Rule outcome (optional)"] or 0) == 0
        assert row["Scale values"] == "" and row["Scale configuration"] == ""  # inherit the framework's scale
        flat[row["ID number"]] = node(row)

    def add_children(parent: Node, parentidnumber: str) -> None:  # framework_importer::add_children
        for competency in flat.values():
            if competency.parent == parentidnumber:
                parent.children.append(competency)
                add_children(competency, competency.idnumber)

    add_children(framework, "")
    reached = []

    def walk(n: Node) -> None:
        for child in n.children:
            reached.append(child.idnumber)
            walk(child)

    walk(framework)
    assert sorted(reached) == sorted(flat), "every competency hangs in the tree exactly once"

    # grade_scale::load_items
    scale = [item.strip() for item in top["Scale values"].split(",")]
    assert all(scale)
    # competency_framework::validate_scaleconfiguration, get_default_grade_from_scale_configuration
    configuration = json.loads(top["Scale configuration"])
    assert isinstance(configuration, list) and isinstance(configuration[0], dict) and "scaleid" in configuration[0]
    items = configuration[1:]
    assert [item["id"] for item in items] == list(range(1, len(scale) + 1))
    assert all(item["scaledefault"] in (0, 1) and item["proficient"] in (0, 1) for item in items)
    assert sum(item["scaledefault"] for item in items) == 1
    assert sum(item["proficient"] for item in items) >= 1

    taxonomies = top["Taxonomy"].split(",")
    assert all(term in TAXONOMY_TERMS for term in taxonomies)
    assert all(len(taxonomies) >= Imported(framework, scale, items, taxonomies, flat).depth_of(n) for n in flat.values())
    return Imported(framework, scale, items, taxonomies, flat)


# ---------------------------------------------------------------- tests


def test_columns_are_moodles():
    assert list(COLUMNS) == MOODLE_HEADERS


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("fid", sorted(COUNTS))
def test_round_trip(fid: str, language: str):
    framework = FRAMEWORKS[fid]
    text = moodle_csv(framework, language)
    assert not text.startswith("\ufeff")
    imported = read_moodle_csv(text)
    root = imported.framework

    title = framework.title.get(language)
    assert root.idnumber == fid
    if len(title) <= 100:
        assert root.shortname == title
    else:
        assert root.shortname.endswith("…") and title.startswith(root.shortname[:-1])
    assert html_to_text(root.description).startswith(title)
    assert framework.citation in html_to_text(root.description)

    assert imported.scale == [level.name.get(language) for level in framework.levels]
    assert [item["id"] for item in imported.configuration if item["scaledefault"]] == [1]
    assert [item["id"] for item in imported.configuration if item["proficient"]] == [3, 4, 5, 6, 7, 8]
    assert imported.taxonomies == ["domain", "competency"]

    assert [a.idnumber for a in root.children] == [f"{fid}-area-{a.id}" for a in framework.areas]
    competences = 0
    for area, node in zip(framework.areas, root.children, strict=True):
        assert node.parent == ""
        assert node.shortname == area.title.get(language)
        assert html_to_text(node.description) == area.title.get(language)
        assert imported.taxonomies[imported.depth_of(node) - 1] == "domain"
        assert [c.idnumber for c in node.children] == [f"{fid}-{c.id}" for c in area.competences]
        for comp, child in zip(area.competences, node.children, strict=True):
            assert child.parent == node.idnumber
            assert child.shortname == comp.title.get(language)
            assert html_to_text(child.description) == comp.description.get(language)
            assert child.descriptionformat == 1
            assert child.children == []
            assert imported.taxonomies[imported.depth_of(child) - 1] == "competency"
            assert " " not in child.idnumber
            competences += 1
    assert competences == COUNTS[fid]
    ids = [root.idnumber, *imported.flat]
    assert len(ids) == len(set(ids)) == 1 + len(framework.areas) + COUNTS[fid]


@pytest.mark.parametrize("fid", sorted(COUNTS))
def test_dutch_uses_dutch_titles_and_the_same_id_numbers(fid: str):
    framework = FRAMEWORKS[fid]
    en = read_moodle_csv(moodle_csv(framework, "en"))
    nl = read_moodle_csv(moodle_csv(framework, "nl"))
    assert list(en.flat) == list(nl.flat)
    titles = {f"{fid}-{c.id}": c.title for c in framework.competences.values()}
    titles |= {f"{fid}-area-{a.id}": a.title for a in framework.areas}
    for idnumber, node in nl.flat.items():
        assert node.shortname == titles[idnumber].nl
    assert any(nl.flat[i].shortname != en.flat[i].shortname for i in titles)
    assert nl.scale == [level.name.nl for level in framework.levels] != en.scale
    assert nl.framework.shortname != en.framework.shortname


def _with_competence(framework: Framework, title: str, description: str) -> Framework:
    area = framework.areas[0]
    first = area.competences[0]
    changed = dataclasses.replace(first, title=Localized(title, title + " (nl)"), description=Localized(description, description))
    return dataclasses.replace(
        framework, areas=(dataclasses.replace(area, competences=(changed, *area.competences[1:])), *framework.areas[1:])
    )


def test_commas_quotes_newlines_and_markup_survive():
    title = 'Commas, "quotes", semicolons; and\na new line'
    description = (
        "First line, with \"quotes\" and a comma\nsecond line & <b>not bold</b> 'single'\n\nSecond paragraph, C:\\path\\to\\file"
    )
    framework = _with_competence(FRAMEWORKS["digcomp"], title, description)
    text = moodle_csv(framework, "en")
    imported = read_moodle_csv(text)
    node = imported.flat[f"digcomp-{framework.areas[0].competences[0].id}"]
    assert node.shortname == title
    assert html_to_text(node.description) == description
    assert "<b>" not in node.description and "&lt;b&gt;" in node.description
    assert len(imported.flat) == 5 + 21


def test_long_titles_are_cut_to_moodles_100_characters():
    long_title = "A very long competence title " * 6
    framework = _with_competence(FRAMEWORKS["lifecomp"], long_title, "Text.")
    node = read_moodle_csv(moodle_csv(framework, "en")).flat["lifecomp-P1"]
    assert len(node.shortname) <= 100 and node.shortname.endswith("…")
    assert long_title.startswith(node.shortname[:-1])


def test_a_backslash_before_a_quote_is_refused():
    framework = _with_competence(FRAMEWORKS["digcomp"], 'A \\"quoted\\" title', "Text.")
    with pytest.raises(ValueError, match="backslash"):
        moodle_csv(framework, "en")


def test_a_comma_in_a_level_name_is_refused():
    framework = FRAMEWORKS["digcomp"]
    level = dataclasses.replace(framework.levels[0], name=Localized("Foundation, one", "Basis, een"))
    with pytest.raises(ValueError, match="comma"):
        moodle_csv(dataclasses.replace(framework, levels=(level, *framework.levels[1:])), "en")
