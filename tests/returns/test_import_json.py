"""`povtrack import --json` and the "read as ENCODING" line each imported file gets on stderr.

The JSON shape is a promise to scripts: {"batch", "added", "unchanged", "files": [{"file",
"encoding", "rows", "status"}], "warnings"}, status "imported" or "already" (with
"earlier_batch"); the warnings are tested in actions/test_run_warnings.py.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest

DANGEROUS = "housing.dangerous_houses"
HEADER = "date,area,indicator,value,note\n"
ROWS = f"2018-06-10,阳高县,{DANGEROUS},5200,第23周\n2018-06-10,天镇县,{DANGEROUS},300,\n"


def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def write(path: Path, text: str, encoding: str = "utf-8", prefix: bytes = b"") -> Path:
    path.write_bytes(prefix + text.encode(encoding))
    return path


def import_json(run, *args: str) -> tuple[Any, dict[str, Any]]:
    result = run("import", "--json", *args)
    assert result.exit_code == 0, result.stderr
    return result, json.loads(result.stdout)  # stdout is one JSON document, nothing else


def log(run) -> list[dict[str, Any]]:
    result = run("log", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["entries"]


# ---------------------------------------------------------------------------- shape


def test_import_json_shape(run, initialised, tmp_path: Path) -> None:
    f = write(tmp_path / "w23.csv", HEADER + ROWS)
    result, out = import_json(run, str(f))
    assert out == {
        "batch": "b1",  # the first batch of a new database
        "added": 2,
        "unchanged": 0,
        "files": [{"file": str(f), "encoding": "utf-8", "rows": 2, "status": "imported"}],
        "warnings": [],
    }
    assert lines(result.stderr) == [
        f"{f}: 2 rows, read as utf-8",
        "imported 2 entries from 1 file(s) as batch b1",
    ]
    assert {e["batch"] for e in log(run)} == {"b1"}


def test_json_flag_after_the_files(run, initialised, tmp_path: Path) -> None:
    f = write(tmp_path / "w23.csv", HEADER + ROWS)
    result = run("import", str(f), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["added"] == 2


def test_import_json_again_is_already(run, initialised, db_path: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "w23.csv", HEADER + ROWS)
    _, first = import_json(run, str(f))
    raw = db_path.read_bytes()
    for again in (f, write(tmp_path / "w23 (1).csv", HEADER + ROWS)):  # same bytes, any name
        result, out = import_json(run, str(again))
        assert out == {
            "batch": None,
            "added": 0,
            "unchanged": 0,
            "files": [
                {
                    "file": str(again),
                    "encoding": "utf-8",
                    "rows": 2,
                    "status": "already",
                    "earlier_batch": first["batch"],
                }
            ],
            "warnings": [],
        }
        assert f"{again} (already imported: batch {first['batch']}, " in result.stderr
        assert "nothing new to import" in result.stderr
        assert "read as" not in result.stderr  # nothing was read into the database
    assert db_path.read_bytes() == raw
    assert len(log(run)) == 2


def test_import_json_new_and_already_in_one_batch(run, initialised, tmp_path: Path) -> None:
    old = write(tmp_path / "w23.csv", HEADER + ROWS)
    import_json(run, str(old))
    new = write(
        tmp_path / "w24.csv",
        HEADER + f"2018-06-17,阳高县,{DANGEROUS},5300,\n" + f"2018-06-17,天镇县,{DANGEROUS},400,\n",
    )
    result, out = import_json(run, str(old), str(new))
    assert out["batch"] == "b2"
    assert (out["added"], out["unchanged"]) == (2, 0)
    assert [(f["file"], f["status"]) for f in out["files"]] == [
        (str(old), "already"),
        (str(new), "imported"),
    ]
    assert out["files"][0]["earlier_batch"] == "b1"
    assert "earlier_batch" not in out["files"][1]
    assert [ln for ln in lines(result.stderr) if "read as" in ln] == [
        f"{new}: 2 rows, read as utf-8"
    ]
    assert len(log(run)) == 4


def test_import_json_counts_unchanged_rows(run, initialised, tmp_path: Path) -> None:
    result = run("record", DANGEROUS, "300", "--area", "tianzhen", "--date", "2018-06-10")
    assert result.exit_code == 0, result.stderr
    f = write(tmp_path / "w23.csv", HEADER + ROWS)  # tianzhen 300 on 2018-06-10 already counts
    result, out = import_json(run, str(f))
    assert (out["batch"], out["added"], out["unchanged"]) == ("b2", 1, 1)
    assert out["files"][0]["rows"] == 2
    assert "1 unchanged rows skipped" in result.stderr
    assert len(log(run)) == 2


def test_same_file_twice_in_one_command(run, initialised, tmp_path: Path) -> None:
    f = write(tmp_path / "W23.csv", HEADER + ROWS)
    g = write(tmp_path / "W23 (1).csv", HEADER + ROWS)  # the office sent it twice
    result = run("import", "--json", str(f), str(g))
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["added"] == 2
    assert [x["status"] for x in out["files"]] == ["imported", "already"]
    assert len(log(run)) == 2


def test_already_imported_file_beside_its_copy(run, initialised, tmp_path: Path) -> None:
    f = write(tmp_path / "W23.csv", HEADER + ROWS)
    import_json(run, str(f))
    g = write(tmp_path / "W23 (1).csv", HEADER + ROWS)
    result = run("import", "--json", str(f), str(g))
    assert result.exit_code == 0, result.stderr  # nothing new: a success
    out = json.loads(result.stdout)
    assert [x["status"] for x in out["files"]] == ["already", "already"]
    assert out["added"] == 0


def test_refused_import_json_prints_nothing_on_stdout(
    run, initialised, db_path: Path, tmp_path: Path
) -> None:
    f = write(tmp_path / "bad.csv", HEADER + f"2018-06-10,atlantis,{DANGEROUS},1,\n")
    raw = db_path.read_bytes()
    result = run("import", "--json", str(f))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"error: {f}:2:2: unknown area 'atlantis'" in lines(result.stderr)
    assert db_path.read_bytes() == raw


# ---------------------------------------------------------------------------- encodings


def test_gb18030_file(run, initialised, tmp_path: Path) -> None:
    f = write(tmp_path / "gbk.csv", HEADER + ROWS, "gb18030")
    raw = f.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really not UTF-8: detection had to find GB18030
    result, out = import_json(run, str(f))
    [report] = out["files"]
    assert report["encoding"] == "gb18030"
    assert report["rows"] == 2
    assert f"{f}: 2 rows, read as gb18030" in lines(result.stderr)
    notes = {e["area"]: e["note"] for e in log(run)}
    assert notes["yanggao"] == "第23周"  # the Chinese text came through intact


@pytest.mark.parametrize(
    ("name", "encoding", "prefix"),
    [
        ("utf8", "utf-8", b""),
        ("utf8-bom", "utf-8", codecs.BOM_UTF8),
        ("utf16-le", "utf-16-le", codecs.BOM_UTF16_LE),
        ("utf16-be", "utf-16-be", codecs.BOM_UTF16_BE),
        ("gbk", "gbk", b""),
    ],
)
def test_reported_encoding_reads_the_file(
    run, initialised, tmp_path: Path, name: str, encoding: str, prefix: bytes
) -> None:
    f = write(tmp_path / f"{name}.csv", HEADER + ROWS, encoding, prefix)
    result, out = import_json(run, str(f))
    [report] = out["files"]
    used = report["encoding"]
    # whatever name it reports, that codec turns the bytes into the text, BOM and all handled
    assert f.read_bytes().decode(used).lstrip("\ufeff") == HEADER + ROWS
    assert f"{f}: 2 rows, read as {used}" in lines(result.stderr)
    assert out["added"] == 2


def test_one_read_as_line_per_file(run, initialised, tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", HEADER + f"2018-06-10,阳高县,{DANGEROUS},1,\n")
    b = write(tmp_path / "b.csv", HEADER + f"2018-06-10,天镇县,{DANGEROUS},2,\n", "gb18030")
    result, out = import_json(run, str(a), str(b))
    assert [(x["file"], x["encoding"]) for x in out["files"]] == [
        (str(a), "utf-8"),
        (str(b), "gb18030"),
    ]
    read_as = [ln for ln in lines(result.stderr) if "read as" in ln]
    assert read_as == [f"{a}: 1 rows, read as utf-8", f"{b}: 1 rows, read as gb18030"]


def test_encoding_option_is_reported(run, initialised, tmp_path: Path) -> None:
    trad = f"2018-06-10,陽高縣,{DANGEROUS},5200,第23周\n2018-06-10,天鎮縣,{DANGEROUS},300,\n"
    f = write(tmp_path / "big5.csv", HEADER + trad, "big5")
    result, out = import_json(run, "--encoding", "big5", str(f))
    assert out["files"][0]["encoding"] == "big5"
    assert f"{f}: 2 rows, read as big5" in lines(result.stderr)
    assert {e["area"] for e in log(run)} == {"yanggao", "tianzhen"}


def test_blank_lines_are_not_rows(run, initialised, tmp_path: Path) -> None:
    f = write(tmp_path / "w.csv", HEADER + "\n" + ROWS + "\n\n")
    _, out = import_json(run, str(f))
    assert out["files"][0]["rows"] == 2
    assert out["added"] == 2
