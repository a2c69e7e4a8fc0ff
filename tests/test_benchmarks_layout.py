"""The benchmarks' layout (one folder per method, every script importable) and :mod:`benchmarks.report`'s pages."""

from __future__ import annotations

import importlib
import pathlib
import sys
import types

import pytest

from benchmarks import report

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPTS = sorted(p for p in (ROOT / "benchmarks").glob("*/*.py") if p.name != "__init__.py")
#: extras a benchmark may need that the default install does not bring (``pip install .[robotics]`` etc.)
OPTIONAL = {"gymnasium_robotics", "mujoco", "ray", "moviepy"}


def _module(path: pathlib.Path) -> str:
    return f"benchmarks.{path.parent.name}.{path.stem}"


#: folders whose scripts make files rather than results tables, and the page that describes what they make
MAKERS = {"zoo": "docs/skill_zoo.md"}


def test_every_script_is_in_a_method_folder_that_names_it() -> None:
    assert {p.parent.name for p in SCRIPTS} == set(report.PAGES) | set(MAKERS)
    assert len(SCRIPTS) == 34
    assert not [p.name for p in (ROOT / "benchmarks").glob("*.py") if p.stem not in ("__init__", "report", "compare_curves")]
    for folder in [*report.PAGES, *MAKERS]:
        doc = importlib.import_module(f"benchmarks.{folder}").__doc__ or ""
        assert MAKERS.get(folder, f"docs/results/{folder}.md") in doc
        for script in (ROOT / "benchmarks" / folder).glob("*.py"):
            if script.name != "__init__.py":
                assert f"``{script.stem}``" in doc, f"benchmarks/{folder}/__init__.py does not name {script.stem}"


@pytest.mark.parametrize("path", SCRIPTS, ids=_module)
def test_every_script_imports(path: pathlib.Path) -> None:
    try:
        module = importlib.import_module(_module(path))
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] in OPTIONAL:
            pytest.skip(f"{_module(path)} needs the optional {error.name} (not installed)")
        raise
    assert callable(getattr(module, "main", None)) or path.stem == "hiro_antmaze"


@pytest.fixture()
def pages(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    monkeypatch.setattr(report, "DOCS", tmp_path)
    return tmp_path


def _main_module(monkeypatch: pytest.MonkeyPatch, name: str | None) -> None:
    main = types.ModuleType("__main__")
    main.__spec__ = None if name is None else importlib.machinery.ModuleSpec(name, None)
    monkeypatch.setitem(sys.modules, "__main__", main)


def test_write_section_replaces_a_section_in_place(pages: pathlib.Path) -> None:
    before = "# HIRO results\n\nIntro with `code`.\n\n<!-- a:start -->\n## A\n\nkept\n<!-- a:end -->\n\n"
    old = "<!-- b:start -->\n## Old title\n\nCommand: `old`  \nMachine: old  \nDate: old\n\nold body\n<!-- b:end -->\n"
    after = "\nText after, with trailing spaces  \n<!-- c:start -->\nc\n<!-- c:end -->\n"
    (pages / "hiro.md").write_text(before + old + after)
    cmd = "python -m benchmarks.hiro.x --y 1"
    written = report.write_section("b", "New title", "new body\n\n| x |\n", cmd=cmd, page="hiro")
    assert written == pages / "hiro.md"
    text = written.read_text()
    assert text.startswith(before) and text.endswith(after)
    lines = text[len(before) : len(text) - len(after)].split("\n")
    assert lines[:4] == ["<!-- b:start -->", "## New title", "", "Command: `python -m benchmarks.hiro.x --y 1`  "]
    assert lines[4].startswith("Machine: ") and lines[4].endswith("  ") and lines[5].startswith("Date: ")
    assert lines[6:] == ["", "new body", "", "| x |", "<!-- b:end -->", ""]
    # written twice: one section, still in place
    report.write_section("b", "New title", "again", cmd="c", page="hiro")
    text = written.read_text()
    assert text.count("<!-- b:start -->") == 1 and text.startswith(before) and text.endswith(after)


def test_write_section_appends_and_creates_the_callers_page(pages: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _main_module(monkeypatch, "benchmarks.option_critic.option_critic_cartpole")
    assert report.caller_page() == "option_critic"
    path = report.write_section("s", "T", "body", cmd="c")
    assert path == pages / "option_critic.md"
    assert path.read_text().startswith("# Option-Critic results\n\n<!-- s:start -->\n## T\n\nCommand: `c`  \n")
    report.write_section("t", "U", "more", cmd="c")
    assert path.read_text().index("<!-- s:end -->\n\n<!-- t:start -->") > 0


def test_the_page_comes_from_the_script_or_is_named(pages: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _main_module(monkeypatch, "benchmarks.compare_curves")  # shared by several methods: it must name the page
    with pytest.raises(ValueError, match="pass page="):
        report.caller_page()
    assert report.write_section("s", "T", "b", cmd="c", page="dads") == pages / "dads.md"
    with pytest.raises(ValueError, match="unknown results page"):
        report.write_section("s", "T", "b", cmd="c", page="nope")
    _main_module(monkeypatch, None)
    monkeypatch.setattr(sys, "argv", [str(ROOT / "benchmarks" / "macro" / "overhead_macro.py"), "--rounds", "1"])
    assert report.caller_page() == "macro"


def test_page_link_maps_run_files_to_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    run_file = report.RESULTS / "dads_ant_s02_none" / "navigation.png"
    assert report.page_link(run_file) == "runs/dads_ant_s02_none/navigation.png"
    assert report.page_link(report.RESULTS / "diayn_point_seed0.png") == "runs/diayn_point_seed0.png"
    monkeypatch.chdir(ROOT)
    assert report.page_link("benchmarks/results/hiro_antmaze/antmaze_umaze/success.png") == (
        "runs/hiro_antmaze/antmaze_umaze/success.png"
    )
    for outside in (tmp_path / "x.png", ROOT / "README.md", "benchmarks/results/../report.py"):
        with pytest.raises(ValueError, match="not under benchmarks/results"):
            report.page_link(outside)


def test_no_absolute_path_in_the_command_or_a_shown_path(monkeypatch: pytest.MonkeyPatch) -> None:
    _main_module(monkeypatch, "benchmarks.dads.dads_ant_flips")
    outside = ROOT.parent / "elsewhere" / "model.zip"
    argv = ["x", str(outside), f"--out={ROOT / 'benchmarks' / 'results' / 'r'}", f"a=b={outside}@0.2", "--episodes", "2"]
    monkeypatch.setattr(sys, "argv", argv)
    assert report.command() == (
        "python -m benchmarks.dads.dads_ant_flips ../elsewhere/model.zip --out=benchmarks/results/r "
        "a=b=../elsewhere/model.zip@0.2 --episodes 2"
    )
    assert report.repo_relative(ROOT / "benchmarks" / "results") == "benchmarks/results"
    assert report.current_command("python -m benchmarks.train_dads_ant --steps 5 && python -m benchmarks.compare_curves") == (
        "python -m benchmarks.dads.train_dads_ant --steps 5 && python -m benchmarks.compare_curves"
    )
