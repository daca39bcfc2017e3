"""``python -m bench.animation_view`` runs on a small collective and prints its summary line
(figures are reported by the benchmark, never asserted against a time here)."""

from __future__ import annotations

import pytest

from bench.animation_view import main


def test_prints_every_figure_on_its_last_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--members", "20", "--days", "60", "--repeat", "1"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("animation_view members=20 days=60 ")
    pairs = dict(item.split("=") for item in last.split()[1:])
    assert set(pairs) == {
        "members", "days", "activities", "panel_ms", "members_ms", "alerts_ms",
        "loop_stall_ms", "inline_stall_ms", "ratio_vs_60",
    }  # fmt: skip
    assert int(pairs["activities"]) > 0
    for key in ("panel_ms", "members_ms", "alerts_ms", "ratio_vs_60"):
        assert float(pairs[key]) > 0, key


def test_bad_arguments_are_refused() -> None:
    for bad in (["--members", "1"], ["--days", "59"], ["--repeat", "0"], ["--days", "x"]):
        with pytest.raises(SystemExit) as stopped:
            main(bad)
        assert stopped.value.code == 2, bad
