"""The probe runners' shared command line (experiments/probe_files.py): the two options every runner takes,
and a file that cannot be read reported as one `error:` line instead of a traceback. Files here are SYNTHETIC.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
from experiment_scripts import load_script
from pydantic import BaseModel


class _Row(BaseModel):
    id: str


@pytest.fixture(scope="module")
def probe_files() -> ModuleType:
    return load_script("probe_files")


def test_parser_reads_probe_and_json_with_the_default(probe_files: ModuleType, tmp_path: Path) -> None:
    parser = probe_files.probe_parser("Runner title.\n\nMore text.", tmp_path / "default.yaml")
    assert parser.description == "Runner title."
    assert parser.parse_args([]).probe == tmp_path / "default.yaml"
    assert parser.parse_args([]).json is None
    args = parser.parse_args(["--probe", "other.yaml", "--json", "out.json"])
    assert (args.probe, args.json) == (Path("other.yaml"), Path("out.json"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "No such file"),  # no file at all
        ("- id: a\n- id: a\n", "duplicate id a"),  # a malformed probe
        ("- id: [unclosed\n", "while parsing"),  # not YAML
    ],
)
def test_unreadable_file_is_one_error_line(
    probe_files: ModuleType,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str | None,
    message: str,
) -> None:
    path = tmp_path / "probe.yaml"
    if text is not None:
        path.write_text(text)
    assert probe_files.load_or_report(lambda: probe_files.load_rows(path, _Row)) is None
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err


def test_readable_file_returns_what_load_returns(probe_files: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "probe.yaml"
    path.write_text("- id: a\n- id: b\n")
    rows = probe_files.load_or_report(lambda: probe_files.load_rows(path, _Row))
    assert [r.id for r in rows] == ["a", "b"]


def test_other_errors_are_not_swallowed(probe_files: ModuleType) -> None:
    def broken() -> None:
        raise KeyError("a bug, not a bad file")

    with pytest.raises(KeyError):
        probe_files.load_or_report(broken)
