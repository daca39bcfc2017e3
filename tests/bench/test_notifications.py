"""bench.notifications runs end to end on a small collective and prints its figures: fewer
emails than one per event and person, each counted."""

from __future__ import annotations

import pytest

from bench.notifications import main


def test_the_bench_counts_emails_against_one_per_event(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--members", "45", "--events", "60", "--minutes", "4"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    figures = dict(part.split("=") for part in line.split()[1:])
    assert figures["members"] == "45" and figures["events"] == "60"
    assert 0 < int(figures["emails"]) < int(figures["baseline_emails"])
    assert float(figures["ratio"]) < 1


def test_the_bench_refuses_a_collective_too_small() -> None:
    with pytest.raises(SystemExit):
        main(["--members", "3"])
