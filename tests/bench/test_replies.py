"""``python -m bench.replies`` on the judged set and on a small one of its own: it finds the
replies, counts the exact ones for essaim and the baseline, shows each mismatch, and prints
its figures (times are reported, never asserted)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.replies import JUDGED, load_cases, main, measure


def figures(out: str) -> dict[str, str]:
    last = out.strip().splitlines()[-1]
    assert last.startswith("replies count=")
    return dict(item.split("=") for item in last.split()[1:])


def test_the_judged_set_is_counted_and_every_figure_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cases = load_cases(JUDGED)
    assert len(cases) >= 48
    status = main([])
    pairs = figures(capsys.readouterr().out)
    assert set(pairs) == {
        "count", "essaim_exact", "baseline_exact", "ratio", "mean_us", "p99_us",
    }  # fmt: skip
    assert int(pairs["count"]) == len(cases)
    assert 0 <= float(pairs["baseline_exact"]) <= float(pairs["essaim_exact"]) <= 1
    assert status == (0 if float(pairs["essaim_exact"]) >= 0.95 else 1)


def test_a_mismatch_is_named_with_its_diff(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("01-gmail-fr-top", "17-iphone-fr-top"):
        shutil.copy(JUDGED / f"{name}.eml", tmp_path)
        shutil.copy(JUDGED / f"{name}.expected.txt", tmp_path)
    (tmp_path / "17-iphone-fr-top.expected.txt").write_text("Pas ça du tout\n", encoding="utf-8")
    assert measure(load_cases(tmp_path)).essaim_exact == 1
    assert main(["--dir", str(tmp_path)]) == 1  # 1 of 2: under the target
    out = capsys.readouterr().out
    assert "mismatch 17-iphone-fr-top:" in out and "-Pas ça du tout" in out
    assert "mismatch 01-" not in out
    pairs = figures(out)
    assert pairs["count"] == "2" and pairs["essaim_exact"] == "0.500"


def test_a_reply_without_its_expected_text_is_refused(tmp_path: Path) -> None:
    shutil.copy(JUDGED / "01-gmail-fr-top.eml", tmp_path)
    with pytest.raises(FileNotFoundError):
        load_cases(tmp_path)


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    for bad in (["--dir", str(tmp_path / "missing")], ["--target", "x"]):
        with pytest.raises(SystemExit) as stopped:
            main(bad)
        assert stopped.value.code == 2, bad
