"""Reply-by-email benchmark: what ``extract_reply`` keeps of real-shaped replies to
notification emails, against what each should post.

Run ``python -m bench.replies``. The judged set is ``bench/replies/``: ``NN-client-lang-shape.eml``
(Gmail, Outlook, Apple Mail, Thunderbird, French webmails …; top-posted, bottom-posted,
interleaved; plain, HTML, both) next to ``NN-client-lang-shape.expected.txt``, exactly the
comment to post. In the same run, on the same messages:

* baseline: the first text part of the message, cut at its first line starting with ``>``;
* essaim: ``server.domain.inbound.reply_text.extract_reply``.

Both are compared with the expected text after ``.strip()`` on both sides, nothing else.
Every mismatch is printed with a short diff. The last line:
``replies count=… essaim_exact=… baseline_exact=… ratio=… mean_us=… p99_us=…`` (``ratio`` =
essaim's share ÷ the baseline's; the times are essaim's, parsing included, per message). The
exit status is 1 when essaim's share is below ``--target`` (0.95).
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from server.domain.inbound.reply_text import extract_reply, parse_message

JUDGED = Path(__file__).resolve().parent / "replies"
EXPECTED_SUFFIX = ".expected.txt"


@dataclass(frozen=True)
class Case:
    name: str
    raw: bytes
    expected: str


@dataclass
class Mismatch:
    name: str
    expected: str
    got: str


@dataclass
class RepliesResult:
    count: int = 0
    essaim_exact: int = 0
    baseline_exact: int = 0
    times: list[float] = field(default_factory=list)  # seconds per message, essaim
    mismatches: list[Mismatch] = field(default_factory=list)  # essaim's

    def share(self, exact: int) -> float:
        return exact / self.count if self.count else float("nan")


def load_cases(directory: Path) -> list[Case]:
    """Every ``*.eml`` of ``directory`` with its expected text, in name order."""
    cases = []
    for path in sorted(directory.glob("*.eml")):
        expected = path.with_name(path.stem + EXPECTED_SUFFIX)
        if not expected.exists():
            raise FileNotFoundError(f"{path.name} has no {expected.name}")
        cases.append(Case(path.stem, path.read_bytes(), expected.read_text(encoding="utf-8")))
    return cases


def baseline(message: EmailMessage) -> str:
    """The first text part, cut at its first line starting with ``>``."""
    for part in message.walk():
        if part.get_content_maintype() == "text":
            text = str(part.get_content())
            lines = text.replace("\r\n", "\n").split("\n")
            for index, line in enumerate(lines):
                if line.startswith(">"):
                    return "\n".join(lines[:index])
            return text
    return ""


def essaim(raw: bytes) -> str:
    return extract_reply(parse_message(raw)).text


def measure(cases: Sequence[Case], clock: Callable[[], float] = time.perf_counter) -> RepliesResult:
    result = RepliesResult(count=len(cases))
    for case in cases:
        start = clock()
        got = essaim(case.raw)
        result.times.append(clock() - start)
        if got.strip() == case.expected.strip():
            result.essaim_exact += 1
        else:
            result.mismatches.append(Mismatch(case.name, case.expected, got))
        if baseline(parse_message(case.raw)).strip() == case.expected.strip():
            result.baseline_exact += 1
    return result


def short_diff(expected: str, got: str, limit: int = 12) -> list[str]:
    """The changed lines, expected (-) against got (+)."""
    lines = difflib.unified_diff(
        expected.strip().splitlines(), got.strip().splitlines(), "expected", "got", n=1
    )
    out = list(lines)[2:]
    return out[:limit] + ([f"… {len(out) - limit} more lines"] if len(out) > limit else [])


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary_line(r: RepliesResult) -> str:
    essaim_share = r.share(r.essaim_exact)
    baseline_share = r.share(r.baseline_exact)
    ratio = essaim_share / baseline_share if baseline_share else float("inf")
    mean = sum(r.times) / len(r.times) if r.times else float("nan")
    return (
        f"replies count={r.count} essaim_exact={essaim_share:.3f} "
        f"baseline_exact={baseline_share:.3f} ratio={ratio:.2f} "
        f"mean_us={mean * 1e6:.0f} p99_us={percentile(r.times, 0.99) * 1e6:.0f}"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.replies",
        description="Reply-by-email: the text kept of judged replies, against a baseline.",
    )
    parser.add_argument("--dir", type=Path, default=JUDGED, help="the judged set (bench/replies)")
    parser.add_argument("--target", type=float, default=0.95, help="essaim's share to reach")
    args = parser.parse_args(argv)
    if not args.dir.is_dir():
        parser.error(f"{args.dir} is not a folder")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    cases = load_cases(args.dir)
    r = measure(cases)
    print(f"replies: {r.count} judged replies in {args.dir}")
    print(f"  baseline (first text part, cut at the first '>'): {r.baseline_exact} exact")
    print(f"  essaim (extract_reply): {r.essaim_exact} exact")
    for mismatch in r.mismatches:
        print(f"mismatch {mismatch.name}:")
        for line in short_diff(mismatch.expected, mismatch.got):
            print(f"    {line}")
    print(summary_line(r))
    return 0 if r.count and r.share(r.essaim_exact) >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
