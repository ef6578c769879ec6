"""A data folder is always given as a keyword (issue 13): `data_dir=...`.

The functions are found from the modules (every public function of iraqtalks/teaching/lessons*.py that takes
a data_dir, and the data layer's entry points), so a new one is covered too. A list where a folder goes gets a
sentence that says what data_dir is, not pathlib's TypeError."""
from __future__ import annotations

import importlib
import inspect

import pytest

from iraqtalks.data import descriptor, evidence, loader
from iraqtalks.data.paths import DATA_DIR, ROOT


def lesson_modules():
    return [importlib.import_module(f"iraqtalks.teaching.{p.stem}")
            for p in sorted((ROOT / "iraqtalks" / "teaching").glob("lessons*.py"))]


def folder_functions():
    found = {}
    for module in lesson_modules():
        for name, fn in vars(module).items():
            if inspect.isfunction(fn) and not name.startswith("_") and fn.__module__ == module.__name__ \
                    and "data_dir" in inspect.signature(fn).parameters:
                found[f"{module.__name__.rsplit('.', 1)[1]}.{name}"] = fn
    # the data layer's entry points
    for fn in (descriptor.read_package, evidence.lookup, evidence.primary_key, loader.validate, loader.load):
        found[f"data.{fn.__name__}"] = fn
    return found


FUNCTIONS = folder_functions()

# Arguments that make each function work on the kit's data, for the list-for-a-folder test.
EXAMPLES = {
    "show_raw": ("a001", 1, 2), "furniture": ("a001",), "find_evidence": ("Iraq",), "sentences_en": ("a002",),
    "data_dictionary": ("numbers",), "event_table": (["e2024-01-24-letter"],), "number_readings": (),
    "date_readings": (), "report_lags": (), "lag_chart": (), "lookup": ("articles", "a001"), "read_package": (),
    "primary_key": ("events",), "validate": (), "load": ("events",),
}


def test_the_functions_are_found():
    names = {k.rsplit(".", 1)[1] for k in FUNCTIONS}
    assert names >= {"furniture", "find_evidence", "sentences_en", "data_dictionary", "event_table", "number_readings",
                     "date_readings", "report_lags", "lag_chart", "show_raw", "read_package", "lookup", "validate",
                     "primary_key", "load"}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_data_dir_is_keyword_only(name):
    fn = FUNCTIONS[name]
    assert inspect.signature(fn).parameters["data_dir"].kind is inspect.Parameter.KEYWORD_ONLY
    positional = [p for p in inspect.signature(fn).parameters.values()
                  if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    with pytest.raises(TypeError, match="positional argument"):
        fn(*[None] * len(positional), DATA_DIR)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_a_list_for_a_folder_is_explained(name):
    short = name.rsplit(".", 1)[1]
    assert short in EXAMPLES, f"add example arguments for {short} to EXAMPLES"
    with pytest.raises(ValueError, match=r"data_dir is the folder that holds the kit's tables .* not a list"):
        FUNCTIONS[name](*EXAMPLES[short], data_dir=["a000", "a001"])


@pytest.mark.parametrize("call, message", [
    (lambda m: m["lessons_tables"].data_dictionary(["numbers"]), "give one table's name"),
    (lambda m: m["lessons_tables"].event_table("e2024-01-24-letter"), "give a list of event ids"),
    (lambda m: m["lessons_readings"].date_readings(["a000", "a001"]), "year is the year"),
    (lambda m: m["lessons_lags"].lag_chart(["a000", "a001"]), "lags is the table report_lags"),
], ids=["data_dictionary", "event_table", "date_readings", "lag_chart"])
def test_a_list_in_the_first_place_gets_a_sentence(call, message):
    modules = {m.__name__.rsplit(".", 1)[1]: m for m in lesson_modules()}
    with pytest.raises(ValueError, match=message):
        call(modules)
