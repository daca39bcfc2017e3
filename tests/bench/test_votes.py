"""``python -m bench.votes`` on a few participants: every correctness figure of its last line
(times are reported by the benchmark, never asserted here)."""

from __future__ import annotations

import pytest

from bench.votes import main


def test_every_ballot_is_counted_once_and_reaches_every_participant(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--participants", "8", "--seconds", "1", "--seed", "3"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("votes participants=8 ")
    pairs = dict(item.split("=") for item in last.split()[1:])
    assert pairs["counted_once"] == "true"
    for key in ("accepted_over_budget", "final_over_budget", "final_mismatch"):
        assert pairs[key] == "0", key
    for key in ("lost", "duplicated", "failures"):
        assert pairs[key] == "0", key
    assert pairs["live_matches"] == "8"
    ballots = int(pairs["ballots"])
    assert ballots >= 8 and int(pairs["deliveries"]) == ballots * 8
    assert "ratio_vs_cards" in pairs and "p99_ms" in pairs


def test_bad_arguments_are_refused() -> None:
    for bad in (["--participants", "1"], ["--seconds", "0"], ["--participants", "x"]):
        with pytest.raises(SystemExit) as stopped:
            main(bad)
        assert stopped.value.code == 2, bad
