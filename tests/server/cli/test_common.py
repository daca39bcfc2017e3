"""What every ``essaim`` command shares, in process: ``--data-dir`` overrides the environment
and nothing else, and the parser lists every subcommand, each with its help, ``--data-dir``
and the function it runs (tests/server/cli/test_main.py runs the real command)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from server.cli import main as cli
from server.cli.common import settings_from

# Every runnable command line (``search`` only groups ``search reindex``).
COMMAND_LINES = (
    ("serve",),
    ("demo",),
    ("migrate",),
    ("digest",),
    ("backup",),
    ("restore",),
    ("settings",),
    ("search", "reindex"),
)
# What a command requires besides its name.
REQUIRED = {"restore": ["sauvegarde-essaim.tar.gz"]}


def test_settings_come_from_the_environment_without_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ESSAIM_DATA_DIR", str(tmp_path / "depuis-l-environnement"))
    monkeypatch.setenv("ESSAIM_LOG_LEVEL", "warning")
    for args in (argparse.Namespace(), argparse.Namespace(data_dir=None)):
        settings = settings_from(args)
        assert settings.data_dir == tmp_path / "depuis-l-environnement"
        assert settings.log_level == "warning"


def test_data_dir_overrides_the_environment_only_for_the_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ESSAIM_DATA_DIR", str(tmp_path / "depuis-l-environnement"))
    monkeypatch.setenv("ESSAIM_LOG_LEVEL", "warning")
    settings = settings_from(argparse.Namespace(data_dir=str(tmp_path / "donnees")))
    assert settings.data_dir == tmp_path / "donnees"
    assert isinstance(settings.data_dir, Path)
    assert settings.log_level == "warning"


def test_without_environment_the_data_dir_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ESSAIM_DATA_DIR", raising=False)
    assert settings_from(argparse.Namespace()).data_dir == Path("essaim-data")


@pytest.mark.parametrize("line", COMMAND_LINES, ids=" ".join)
def test_every_command_parses_with_a_data_dir_and_knows_what_to_run(
    line: tuple[str, ...], tmp_path: Path
) -> None:
    required = REQUIRED.get(line[0], [])
    args = cli.parser().parse_args([*line, "--data-dir", str(tmp_path), *required])
    assert args.command == line[0]
    assert callable(args.run)
    assert settings_from(args).data_dir == tmp_path


def test_the_root_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.parser().parse_args(["--help"])
    assert exited.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith("usage: essaim")
    for line in COMMAND_LINES:
        assert f"\n    {line[0]} " in shown, line


@pytest.mark.parametrize("line", COMMAND_LINES, ids=" ".join)
def test_every_command_has_its_own_help(
    line: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.parser().parse_args([*line, "--help"])
    assert exited.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith(f"usage: essaim {' '.join(line)}")
    assert "--data-dir" in shown


def test_a_missing_or_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in ([], ["reindex"], ["search"]):
        with pytest.raises(SystemExit) as exited:
            cli.parser().parse_args(argv)
        assert exited.value.code == 2, argv
        assert "usage: essaim" in capsys.readouterr().err


def test_main_runs_the_chosen_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("ESSAIM_DATABASE_URL", raising=False)
    assert cli.main(["settings", "--data-dir", str(tmp_path / "vide")]) == 0
    shown = capsys.readouterr().out
    assert f"ESSAIM_DATA_DIR={tmp_path / 'vide'}" in shown
    assert shown.rstrip().endswith("search outbox: no database yet")
