"""The knowledge layer: datasets load, validate with useful messages, and search finds what people type."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from vlab import knowledge
from vlab.knowledge.records import DatasetError, DatastoreFile, GlossaryTerm, Lab, read_table

SEED_FILE_TYPES = ("log", "nvram", "vmdk", "vmem", "vmsd", "vmsn", "vmss", "vmtm", "vmx", "vmxf", "vswp")
REAL_FOLDER_EXTRAS = ("-flat.vmdk", "-ctk.vmdk", "vmx-*.vswp", ".vmtx", ".hlog")
SEED_COMPONENTS = (
    "ESX Server", "Virtual SMP", "VirtualCenter Management Server", "VI Client", "VI Web Access",
    "DRS", "VMotion", "HA", "VMware Consolidated Backup",
)


def test_every_seed_file_type_is_explained():
    for ext in SEED_FILE_TYPES:
        entry = knowledge.lookup(ext)
        assert isinstance(entry, DatastoreFile), ext
        assert entry.extension == f".{ext}"


@pytest.mark.parametrize("name", REAL_FOLDER_EXTRAS)
def test_real_folder_files_are_explained(name):
    assert isinstance(knowledge.lookup(name), DatastoreFile)


def test_delta_and_rotated_logs_are_findable():
    assert isinstance(knowledge.lookup("-delta.vmdk"), DatastoreFile)
    hits = knowledge.search("vmware-1.log rotation")
    assert hits and isinstance(hits[0].entry, DatastoreFile)


@pytest.mark.parametrize("name", SEED_COMPONENTS)
def test_every_suite_component_is_explained(name):
    entry = knowledge.lookup(name)
    assert entry is not None and entry.kind == "component", name
    assert entry.today_name


def test_components_have_todays_names():
    names = {c.component.lower(): c.today_name.lower() for c in knowledge.components()}
    assert any("esxi" in v for v in names.values())
    assert any("vpxa" in v for v in names.values())
    assert any("vadp" in v or "storage apis" in v for v in names.values())


def test_glossary_is_large_enough_and_points_at_real_labs():
    terms = knowledge.glossary()
    assert len(terms) >= 80
    for t in terms:
        assert t.lab in knowledge.LAB_SLUGS


def test_every_fact_row_has_a_source():
    for entry in knowledge.entries():
        assert len(entry.source) > 8, entry.key


def test_glossary_terms_do_not_shadow_file_types_or_components():
    keys = [knowledge.normalize(e.key) for e in knowledge.entries()]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("spelling", [".vmsd", "vmsd", "VMSD", " .VmSd "])
def test_case_and_leading_dot_do_not_matter(spelling):
    assert knowledge.lookup(spelling).extension == ".vmsd"


def test_aliases_count():
    tps = knowledge.lookup("TPS")
    assert tps is not None and "page sharing" in tps.key.lower()
    assert knowledge.lookup("VirtualCentre") is not None


def test_exact_name_ranks_first():
    hits = knowledge.search("vmdk")
    assert hits[0].entry.key == ".vmdk"
    assert hits[0].score == 100
    assert len(hits) > 1, "the other disk files mention vmdk too"
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_words_in_text_are_found():
    hits = knowledge.search("snapshot metadata")
    assert ".vmsd" in [h.entry.key for h in hits[:3]]


def test_unknown_terms_get_suggestions():
    assert knowledge.lookup("vswpp") is None
    assert ".vswp" in knowledge.suggest("vswpp")
    assert knowledge.search("") == []


def test_labs_table_covers_every_slug_in_order():
    assert [lab.slug for lab in knowledge.labs()] == list(knowledge.LAB_SLUGS)
    assert knowledge.labs()[0].status == "available"


def test_available_labs_exist_as_notebooks():
    for lab in knowledge.labs():
        path = knowledge.labs_dir() / lab.notebook
        assert path.exists() == (lab.status == "available"), lab.slug


# --- validation: a broken row names the file, line, column and reason ---------------------------------

GOOD_TERM = {"term": "VMkernel", "aliases": "vmk", "definition": "The hypervisor.", "lab": "01_vmkernel",
             "source": "vSphere docs, intro"}


def write_csv(path: Path, rows: list[dict], header: list[str] | None = None) -> Path:
    header = header or list(GOOD_TERM)
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    return path


def test_good_table_loads(tmp_path):
    (term,) = read_table(write_csv(tmp_path / "g.csv", [GOOD_TERM]), GlossaryTerm)
    assert term.aliases == ("vmk",)


@pytest.mark.parametrize(
    "change, line, column, reason",
    [
        ({"definition": ""}, 3, "definition", "is empty"),
        ({"lab": "99_nowhere"}, 3, "lab", "unknown lab '99_nowhere'"),
        ({"term": "vmkernel"}, 3, "term", "repeats line 2"),
        ({"source": "   "}, 3, "source", "is empty"),
    ],
)
def test_bad_rows_are_reported_precisely(tmp_path, change, line, column, reason):
    bad = {**GOOD_TERM, **change}
    if "term" not in change:
        bad["term"] = "Something else"
    path = write_csv(tmp_path / "glossary.csv", [GOOD_TERM, bad])
    with pytest.raises(DatasetError) as err:
        read_table(path, GlossaryTerm)
    assert (err.value.line, err.value.column) == (line, column)
    assert reason in str(err.value)
    assert str(err.value).startswith("glossary.csv, line 3")


def test_missing_column_is_reported(tmp_path):
    header = [c for c in GOOD_TERM if c != "source"]
    path = write_csv(tmp_path / "g.csv", [{k: GOOD_TERM[k] for k in header}], header)
    with pytest.raises(DatasetError, match=r"line 1, column 'source': header lacks"):
        read_table(path, GlossaryTerm)


def test_ragged_row_is_reported(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("term,aliases,definition,lab,source\nA,,def,01_vmkernel\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"line 2: has 4 cells, the header has 5"):
        read_table(path, GlossaryTerm)


def test_empty_and_non_utf8_files_are_reported(tmp_path):
    empty = tmp_path / "e.csv"
    empty.write_text("")
    with pytest.raises(DatasetError, match="empty"):
        read_table(empty, GlossaryTerm)
    latin = tmp_path / "l.csv"
    latin.write_bytes("term,aliases,definition,lab,source\nCaf\xe9,,d,01_vmkernel,s\n".encode("latin-1"))
    with pytest.raises(DatasetError, match="not UTF-8"):
        read_table(latin, GlossaryTerm)


def test_enumerated_and_numeric_columns_are_checked(tmp_path):
    row = {"slug": "00_start_here", "title": "t", "minutes_reading": "ten", "minutes_exercises": "5",
           "status": "available", "topics": "x"}
    path = write_csv(tmp_path / "labs.csv", [row], list(row))
    with pytest.raises(DatasetError, match="column 'minutes_reading': 'ten' is not a whole number"):
        read_table(path, Lab)
    path = write_csv(tmp_path / "labs.csv", [{**row, "minutes_reading": "10", "status": "soon"}], list(row))
    with pytest.raises(DatasetError, match="column 'status': 'soon' is not one of available, planned"):
        read_table(path, Lab)


def test_search_matches_words_in_any_script_not_only_ascii():
    # The glossary's Little's law carries the alias "L = λW"; an ASCII-only tokenizer dropped λW.
    hits = knowledge.search("λW")
    assert hits and hits[0].entry.term == "Little's law"
