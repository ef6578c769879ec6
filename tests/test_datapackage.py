"""datapackage.json itself: Frictionless accepts it, the kit's checker understands it, data/README.md matches it."""
from __future__ import annotations

import json

import pytest
from frictionless import Package
from frictionless import validate as frictionless_validate

from iraqtalks.data import datadict
from iraqtalks.data.descriptor import read_package, table_names
from iraqtalks.data.loader import load, validate
from iraqtalks.data.paths import DATA_DIR
from iraqtalks.data.problems import DataError


def _errors(report) -> str:
    return "\n".join(" | ".join(str(x) for x in e) for e in report.flatten(["taskName", "rowNumber", "fieldName", "note"]))


def test_frictionless_accepts_the_descriptor():
    # The metadata alone: custom x- keys, circular and self-referencing foreign keys.
    descriptor = json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    report = Package.validate_descriptor(descriptor)
    assert report.valid, _errors(report)


def test_frictionless_validates_the_kits_data():
    report = frictionless_validate(str(DATA_DIR / "datapackage.json"))
    assert report.valid, _errors(report)


def test_frictionless_validates_a_complete_copy(full_copy):
    # The copy has a synthetic row for any table the kit lacks, so this passes while data is being written.
    report = frictionless_validate(str(full_copy / "datapackage.json"))
    assert report.valid, _errors(report)


def test_frictionless_and_the_kit_agree_on_a_broken_copy(full_copy):
    from conftest import set_cell

    set_cell(full_copy / "outlets.csv", 2, "kind", "blog")
    report = frictionless_validate(str(full_copy / "datapackage.json"))
    assert not report.valid
    assert [p.column for p in validate(data_dir=full_copy)] == ["kind"]


def test_data_readme_is_generated_from_the_datapackage():
    committed = (DATA_DIR / "README.md").read_bytes().decode("utf-8")
    assert committed == datadict.render(), (
        "data/README.md is out of date: run python -c \"from iraqtalks.data import datadict; datadict.write()\"")


def test_data_readme_documents_every_table_and_column():
    text = datadict.render()
    pkg = read_package()
    for res in pkg["resources"]:
        assert f"\n### {res['name']}\n" in text
        for f in res["schema"]["fields"]:
            assert f"| `{f['name']}` | {datadict.type_label(f)} |" in text
    assert 'load("events")' in text and "python -m iraqtalks check-data" in text
    assert pkg["x-licence-note"] in text


def test_type_labels():
    assert datadict.type_label({"name": "d", "type": "date"}) == "date"
    assert datadict.type_label({"name": "k", "type": "string", "constraints": {"required": True, "enum": ["a", "b"]}}) \
        == "string (enum: `a`, `b`), **required**"
    assert datadict.type_label({"name": "p", "type": "string", "constraints": {"pattern": "[a|b]"}}) \
        == "string (pattern: `[a\\|b]`)"


def test_write_on_a_copy(data_copy):
    (data_copy / "README.md").unlink()
    path = datadict.write(data_dir=data_copy)
    assert path == data_copy / "README.md"
    assert path.read_bytes() == datadict.render(data_dir=data_copy).encode("utf-8")
    assert b"\r" not in path.read_bytes()


def test_read_package_returns_a_private_copy():
    pkg = read_package()
    pkg["resources"].clear()
    assert read_package()["resources"], "read_package() handed out its cached object"
    assert table_names()[0] == json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))["resources"][0]["name"]


@pytest.mark.parametrize("edit, found", [
    (lambda pkg: pkg["resources"][0]["schema"]["fields"][0].update(type="datetime"), "type 'datetime'"),
    (lambda pkg: pkg["resources"][0]["schema"]["fields"][0].setdefault("constraints", {}).update(minLength=2),
     "constraint 'minLength'"),
    (lambda pkg: pkg["resources"][0]["schema"].update(primaryKey="nope"), "primaryKey field 'nope'"),
    (lambda pkg: pkg["resources"][0]["x-evidence"].update(quote_fields=["quote"]), "field 'quote'"),
])
def test_the_checker_refuses_what_it_cannot_enforce(data_copy, edit, found):
    path = data_copy / "datapackage.json"
    pkg = json.loads(path.read_text(encoding="utf-8"))
    edit(pkg)
    path.write_text(json.dumps(pkg, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    problems = validate(data_dir=data_copy)
    assert len(problems) == 1 and problems[0].file.endswith("datapackage.json")
    assert found in problems[0].found
    with pytest.raises(DataError) as info:
        load("outlets", data_dir=data_copy)
    assert found in str(info.value)


def test_broken_json_is_reported_with_its_line(data_copy):
    path = data_copy / "datapackage.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"resources": [', '"resources" [', 1), encoding="utf-8")
    line = text[: text.index('"resources": [')].count("\n") + 1
    with pytest.raises(DataError) as info:
        read_package(data_dir=data_copy)
    assert f"invalid JSON at line {line}" in str(info.value)


# --------------------------------------------------------------------------- labels and ranges declared in the descriptor


def test_enum_labels_come_from_the_descriptor_in_the_enums_order():
    from iraqtalks.data.descriptor import enum_labels

    pkg = read_package()
    for res in pkg["resources"]:
        for f in res["schema"]["fields"]:
            if "x-enum-labels" in f:
                got = enum_labels(res["name"], f["name"])
                assert list(got) == [str(v) for v in f["constraints"]["enum"]]
    assert enum_labels("events", "event_type", "vi")["us_strike"] == "Mỹ không kích"
    assert enum_labels("numbers", "qualifier", "words_en")["at_least"] == ["at least"]
    with pytest.raises(ValueError, match="events.summary_en declares no labels"):
        enum_labels("events", "summary_en")
    with pytest.raises(ValueError, match="did you mean 'event_type'"):
        enum_labels("events", "event_typ")
    with pytest.raises(ValueError, match="gives no 'vi'"):
        enum_labels("numbers", "qualifier", "vi")


def test_a_new_enum_value_is_one_edit_of_the_descriptor(data_copy):
    """A new hedge, declared with its labels in datapackage.json, is known to the analyses and the data
    dictionary without any edit of Python."""
    import pandas as pd

    from iraqtalks.analysis.numbers import hedge_meaning, hedges
    from iraqtalks.data.descriptor import enum_labels

    path = data_copy / "datapackage.json"
    pkg = json.loads(path.read_text(encoding="utf-8"))
    field = next(f for r in pkg["resources"] if r["name"] == "numbers" for f in r["schema"]["fields"]
                 if f["name"] == "qualifier")
    field["constraints"]["enum"].append("up_to")
    field["x-enum-labels"]["up_to"] = {"en": "up to", "meaning": "a ceiling, the figure may equal it",
                                       "words_en": ["up to"]}
    path.write_text(json.dumps(pkg, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert list(enum_labels("numbers", "qualifier", data_dir=data_copy))[-1] == "up_to"
    assert hedge_meaning(data_dir=data_copy)["up_to"] == "up to: a ceiling, the figure may equal it"
    num = load("numbers", data_dir=data_copy).astype(object)
    num.loc[num.index[0], "qualifier"] = "up_to"
    table = hedges(data_dir=data_copy, tables={"numbers": pd.DataFrame(num)})
    assert "up to: a ceiling, the figure may equal it" in set(table["meaning"])
    assert "up_to: a ceiling, the figure may equal it" in datadict.render(data_dir=data_copy)


def test_ranges_are_the_declared_ones(data_copy):
    """check-data compares the columns x-ranges names, whatever they are called, and no others."""
    from conftest import set_cell

    set_cell(data_copy / "events.csv", 2, "date_end", "2001-01-01")  # before every date_start
    assert [(p.column, "before" in p.message) for p in validate(data_dir=data_copy)] == [("date_end", True)]
    path = data_copy / "datapackage.json"
    pkg = json.loads(path.read_text(encoding="utf-8"))
    events = next(r for r in pkg["resources"] if r["name"] == "events")
    del events["x-ranges"]
    path.write_text(json.dumps(pkg, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert validate(data_dir=data_copy) == []
