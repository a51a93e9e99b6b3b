"""Shell completion (issue 13, item 7): bash, zsh and fish, through Typer's completion scripts.

A shell asks povtrack with ``_POVTRACK_COMPLETE=complete_<shell>`` and the words typed so far
(bash: COMP_WORDS and COMP_CWORD; zsh and fish: _TYPER_COMPLETE_ARGS), in a fresh process, as
the installed script does. Values come from the plan of the database the command line names,
else the bundled plan; a path offers nothing, so the shell completes file names itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from povtrack.cli import app


def _complete(env: dict[str, str], db: Path | None = None) -> tuple[int, list[str]]:
    base = {k: v for k, v in os.environ.items() if k not in ("POVTRACK_DB", "COMP_WORDS")}
    if db is not None:
        base["POVTRACK_DB"] = str(db)
    done = subprocess.run(
        [sys.executable, "-m", "povtrack"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env={**base, "PYTHONIOENCODING": "utf-8", **env},
    )
    assert done.stderr == "", done.stderr
    return done.returncode, [line for line in done.stdout.splitlines() if line]


def bash(line: str, db: Path | None = None) -> list[str]:
    """What bash offers for the last word of ``line`` (a trailing space: a new, empty word)."""
    words = line.split(" ")
    env = {
        "_POVTRACK_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1),
    }
    code, out = _complete(env, db)
    assert code == 0
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("completion") / "demo.json"
    made = subprocess.run(
        [sys.executable, "-m", "povtrack", "demo", "--db", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        env={**os.environ, "POVTRACK_LANG": "en"},
    )
    assert made.returncode == 0, made.stderr
    return path


def test_an_indicator_id_completes(demo: Path) -> None:
    offered = bash("povtrack record hous", demo)
    assert "housing.relocated_people" in offered
    assert all(word.startswith("hous") for word in offered), offered


def test_an_area_name_typed_in_chinese_completes_in_chinese(demo: Path) -> None:
    assert bash("povtrack status --area 阳", demo) == ["阳高县"]
    assert bash("povtrack record housing.relocated_people 5 --area 陽", demo) == ["陽高縣"]


def test_area_ids_groups_and_names(demo: Path) -> None:
    assert bash("povtrack log --area yang", demo) == ["yanggao"]
    assert "six-poor-counties" in bash("povtrack status --area s", demo)
    assert bash("povtrack log --area s", demo) == []  # log takes areas only, not groups
    assert "六个贫困县" in bash("povtrack trend jobs.trained --area 六", demo)


def test_commands_options_tasks_and_choices(demo: Path) -> None:
    assert bash("povtrack sta") == ["status"]
    assert "--forecast" in bash("povtrack status --f")
    assert bash("povtrack status --task ", demo) == [str(n) for n in range(11)]
    assert bash("povtrack plan show --task 1", demo) == ["1", "10"]
    assert bash("povtrack check --fail-on ") == ["error", "warning"]
    assert bash("povtrack board --format x") == ["xlsx"]
    assert bash("povtrack status --lang ") == ["zh", "en"]
    assert bash("povtrack --lang z") == ["zh"]


def test_a_path_offers_nothing_so_the_shell_completes_file_names() -> None:
    """Typer's bash script says ``complete -o default``: with no word offered, bash falls back
    to its own file-name completion (zsh's answer is ``_files``; fish is let complete files)."""
    assert bash("povtrack import sam") == []
    assert bash("povtrack inbox ") == []
    code, out = _complete(
        {"_POVTRACK_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "povtrack import "}
    )
    assert (code, out) == (0, ["_files"])


def test_without_a_database_the_bundled_plan_is_offered(tmp_path: Path) -> None:
    assert "housing.relocated_people" in bash("povtrack record hous", tmp_path / "none.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert bash("povtrack status --area 阳", broken) == ["阳高县"]


def test_the_database_plan_is_the_one_offered(tmp_path: Path, run) -> None:
    """A database made from another plan file: its own names are offered."""
    from povtrack.planfile import bundled_text

    plan = tmp_path / "plan.toml"
    plan.write_text(bundled_text().replace('name = "阳高县"', 'name = "阳原县"'), "utf-8")
    db = tmp_path / "other.json"
    result = run("--db", str(db), "init", "--plan", str(plan))
    assert result.exit_code == 0, result.stderr
    assert bash("povtrack status --area 阳", db) == ["阳原县"]
    # a --db typed on the command line wins over POVTRACK_DB
    assert bash(f"povtrack --db {db} status --area 阳", tmp_path / "none.json") == ["阳原县"]
    assert bash(f"povtrack status --db {db} --area 阳") == ["阳原县"]


def test_zsh_and_fish_describe_each_value(demo: Path) -> None:
    code, out = _complete(
        {
            "_POVTRACK_COMPLETE": "complete_zsh",
            "_TYPER_COMPLETE_ARGS": "povtrack record housing.relocated_p",
        },
        demo,
    )
    assert code == 0
    assert '"housing.relocated_people":"People relocated (people)"' in "\n".join(out)
    code, out = _complete(
        {
            "_POVTRACK_COMPLETE": "complete_fish",
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
            "_TYPER_COMPLETE_ARGS": "povtrack explain jobs.tr",
        },
        demo,
    )
    assert code == 0
    assert out == ["jobs.trained\tPoor workers given skills training (people)"]


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_the_script_for_each_shell(run, shell: str, monkeypatch) -> None:
    """The script calls the command back with _POVTRACK_COMPLETE (Typer names it after the
    program: the installed ``povtrack``)."""
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")
    import typer.main
    import typer.testing
    from typer.testing import CliRunner

    # built afresh, with shell detection off: Typer reads that setting when it builds the
    # command (the command the other tests share, built once, was built without it)
    monkeypatch.setattr(typer.testing, "_get_command", typer.main.get_command, raising=False)
    result = CliRunner().invoke(app, ["--show-completion", shell], prog_name="povtrack")
    assert result.exit_code == 0, result.output
    assert "_POVTRACK_COMPLETE=complete_" + shell in result.stdout


def test_root_help_offers_install_and_show_completion(run) -> None:
    out = run("--help").stdout
    assert "--install-completion" in out and "--show-completion" in out
