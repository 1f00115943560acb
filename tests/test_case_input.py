"""Issue 13 item 5 (CASE half): a CASE file with a field of the wrong JSON type, or JSON
nested far too deep, is an InputError naming the file and the item, never a traceback."""

from __future__ import annotations

import copy
import json

import pytest

from alignment.data.case import NOTES_KEY, read_case, to_case
from alignment.io.errors import InputError


@pytest.fixture(scope="module")
def package(standards) -> dict:
    """The bundled Career Ready Practices as a CASE package we wrote (notes carry our columns)."""
    return to_case(standards[standards["framework"] == "cte_crp"].reset_index(drop=True))


def ident(package: dict, n: int) -> str:
    return package["CFItems"][n]["identifier"]


def notes_with(package: dict, n: int, **values) -> str:
    payload = json.loads(package["CFItems"][n]["notes"])
    payload[NOTES_KEY].update(values)
    return json.dumps(payload)


def item(n: int, **fields):
    return lambda p: p["CFItems"][n].update(fields)


CASES = [
    # (what, mutate, expected text after "<CASE package>: ", with {id} the item's identifier)
    ("notes a list", item(1, notes=["pathway_align", "x"]), "CFItems[1] ({id}): notes is a list; CASE notes are a string"),
    ("notes an object", item(1, notes={"pathway_align": {}}), "CFItems[1] ({id}): notes is an object; CASE notes are a string"),
    ("our standard_id a list", lambda p: p["CFItems"][1].update(notes=notes_with(p, 1, standard_id=["a", "b"])),
     "CFItems[1] ({id}): notes['pathway_align']['standard_id'] is a list; expected a string"),
    ("our source_row a string", lambda p: p["CFItems"][1].update(notes=notes_with(p, 1, source_row="12")),
     "CFItems[1] ({id}): notes['pathway_align']['source_row'] is a string; expected a whole number or null"),
    ("our grade a number", lambda p: p["CFItems"][1].update(notes=notes_with(p, 1, grade=9)),
     "CFItems[1] ({id}): notes['pathway_align']['grade'] is a number (9); expected a string"),
    ("our payload a list", item(1, notes=json.dumps({NOTES_KEY: [1, 2]})),
     "CFItems[1] ({id}): notes['pathway_align'] is a list; expected an object of column values"),
    ("fullStatement a number", item(1, fullStatement=42), "CFItems[1] ({id}): fullStatement is a number (42); expected a string"),
    ("humanCodingScheme a list", item(1, humanCodingScheme=["CRP", "1"]),
     "CFItems[1] ({id}): humanCodingScheme is a list; expected a string"),
    ("abbreviatedStatement an object", item(1, abbreviatedStatement={"en": "x"}),
     "CFItems[1] ({id}): abbreviatedStatement is an object; expected a string"),
    ("CFItemType a boolean", item(1, CFItemType=True), "CFItems[1] ({id}): CFItemType is true (a boolean); expected a string"),
    ("educationLevel an object", item(1, educationLevel={"grade": "09"}),
     "CFItems[1] ({id}): educationLevel is an object; expected a list of strings"),
    ("educationLevel holding numbers", item(1, educationLevel=[9, 10]),
     "CFItems[1] ({id}): educationLevel is a list; expected a list of strings"),
    ("identifier a number", item(1, identifier=5), "CFItems[1]: identifier is a number (5); expected a string"),
    ("an item a string", lambda p: p["CFItems"].__setitem__(1, "CRP 1"), "CFItems[1] is a string, not an object"),
    ("CFItems an object", lambda p: p.update(CFItems={"a": 1}), "CFItems is an object, not a list"),
    ("CFDocument a list", lambda p: p.update(CFDocument=[1]), "CFDocument is a list; expected an object"),
    ("document title a list", lambda p: p["CFDocument"].update(title=["a"]), "CFDocument: title is a list; expected a string"),
    ("document subject a number", lambda p: p["CFDocument"].update(subject=3),
     "CFDocument: subject is a number (3); expected a list of strings"),
    ("document notes a list", lambda p: p["CFDocument"].update(notes=[1]), "CFDocument: notes is a list; CASE notes are a string"),
    ("CFAssociations a string", lambda p: p.update(CFAssociations="none"), "CFAssociations is a string, not a list"),
    ("association origin a string", lambda p: p["CFAssociations"][1].update(originNodeURI="urn:x"),
     "CFAssociations[1] (isChildOf): originNodeURI is a string; expected an object with an identifier"),
    ("association destination identifier a number",
     lambda p: p["CFAssociations"][1]["destinationNodeURI"].update(identifier=7),
     "CFAssociations[1] (isChildOf): destinationNodeURI.identifier is a number (7); expected a string"),
    ("sequenceNumber a string", lambda p: p["CFAssociations"][1].update(sequenceNumber="2"),
     "CFAssociations[1] (isChildOf): sequenceNumber is a string; expected a whole number"),
]


@pytest.mark.parametrize("what,mutate,expected", CASES, ids=[c[0] for c in CASES])
def test_a_field_of_the_wrong_type_is_an_input_error_naming_the_item(package, what, mutate, expected):
    bad = copy.deepcopy(package)
    expected = expected.format(id=ident(package, 1))
    mutate(bad)
    with pytest.raises(InputError) as err:
        read_case(bad)
    assert f"<CASE package>: {expected}" in err.value.problems


def test_the_file_is_named_too(package, tmp_path):
    bad = copy.deepcopy(package)
    bad["CFItems"][3]["notes"] = ["a list"]
    path = tmp_path / "crp.case.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_case(path)
    assert str(err.value) == f"crp.case.json: CFItems[3] ({ident(package, 3)}): notes is a list; CASE notes are a string"


def test_json_nested_100000_deep_names_the_file_and_the_item_before_it(package, tmp_path):
    text = json.dumps(package)
    last = ident(package, len(package["CFItems"]) - 1)
    # a damaged last item: a field holding 100,000 nested lists
    text = text.replace(f'"identifier": "{last}",', f'"identifier": "{last}", "extra": ' + "[" * 100_000 + "]" * 100_000 + ",", 1)
    path = tmp_path / "deep.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_case(path)
    message = str(err.value)
    assert message.startswith("deep.json: JSON arrays/objects nested more than 200 levels deep at line 1, column ")
    assert f"(the last identifier before it is {last}); a CASE package needs about 5" in message


def test_notes_holding_json_nested_too_deep_name_the_item(package):
    bad = copy.deepcopy(package)
    bad["CFItems"][2]["notes"] = '{"pathway_align": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(InputError) as err:
        read_case(bad)
    assert str(err.value) == f"<CASE package>: CFItems[2] ({ident(package, 2)}): notes hold JSON nested too deeply to read"


def test_the_package_itself_still_reads(package, standards):
    table = read_case(copy.deepcopy(package))
    crp = standards[standards["framework"] == "cte_crp"].reset_index(drop=True)
    assert table["standard_id"].tolist() == crp["standard_id"].tolist()
    assert table["text"].tolist() == crp["text"].tolist()
