"""Votes benchmark: N participants subscribed to one board cast dot votes with live results.

Run ``python -m bench.votes`` (200 participants, ballots within 10 s). One ``essaim serve``
process (bench.fanout's), N members each with their own session and one ``/ws`` subscribed to
the board. In the same run, with the same clients:

* baseline: the animator posts cards (``card.created``) at the ballots' rate; latency from
  the POST to each delivery, as ``bench.fanout`` measures it;
* votes: the animator opens a dot vote (budget 3, at most 2 per card, results live) on 5
  cards; every participant puts a ballot within ``--seconds``, a share of them replaces it
  once, and a share first tries to overspend (must be refused); latency from each PUT to the
  delivery of its ``ballot.cast`` (which carries the live counts) at every participant.

Correctness: every participant's final ballot is what they last sent (``GET .../ballot``),
none is over budget, the tally equals the sum of the final ballots (each voter once), every
participant received every ballot.cast once, and the last counts they saw equal the tally.
The last line: ``votes participants=… ballots=… p50_ms=… p99_ms=… ratio_vs_cards=…`` with
``ratio_vs_cards`` = the tally's p99 ÷ the card fan-out's p99 (1.0: a ballot reaches every
screen as fast as a card does).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.fanout import (
    CONNECT_CONCURRENCY,
    HANDSHAKE_TIMEOUT,
    HOST,
    BenchClient,
    Dialect,
    EssaimTarget,
    keepalive,
    now,
    percentile,
    publish_loop,
    run_fast,
)

BUDGET = 3
MAX_PER_OPTION = 2
OPTIONS = 5
BALLOT_CAST = b'"ballot.cast"'


class VoteClient(BenchClient):
    """A participant's socket: also records every ``ballot.cast`` (its actor, its counts)."""

    def __init__(self, url: str, origin: str, headers: dict[str, str], dialect: Dialect) -> None:
        super().__init__(url, origin, headers, dialect)
        self.ballots: list[tuple[int | None, Any, float]] = []  # (actor, data, received)

    def on_text(self, payload: bytes, received: float) -> None:
        lines = payload.split(b"\n")
        rest = [line for line in lines if BALLOT_CAST not in line]
        for line in lines:
            if BALLOT_CAST in line:
                message = json.loads(line)
                if message.get("kind") == "ballot.cast":
                    self.ballots.append((message.get("actor"), message.get("data"), received))
        if rest:
            super().on_text(b"\n".join(rest), received)


class VotesTarget(EssaimTarget):
    """``essaim serve`` with an animator and ``participants`` members, each kept logged in."""

    name = "essaim"

    def __init__(self, workdir: Path, participants: int, send_queue: int) -> None:
        super().__init__(workdir, participants + 1, True, send_queue)
        self.members: list[httpx.AsyncClient] = []
        self.member_ids: list[int] = []
        self.card_ids: list[int] = []

    user_prefix = "votes-user"
    display_prefix = "Votant"

    def server_env(self) -> dict[str, str]:
        # Every participant signs up from 127.0.0.1: setup, not what is measured.
        return {
            "ESSAIM_REGISTER_MAX_PER_ADDRESS": "100000",
            "ESSAIM_ACCOUNT_EMAIL_MAX_PER_ADDRESS": "100000",
        }

    async def _setup(self) -> None:
        animator = await self._register(0)
        self.http = animator
        created = await animator.post("/api/v1/collectives", json={"name": "Banc de vote"})
        created.raise_for_status()
        self.collective = int(created.json()["id"])
        board = await animator.post(
            f"/api/v1/collectives/{self.collective}/boards",
            json={"name": "Vote", "kind": "ideas"},
        )
        board.raise_for_status()
        self.board = int(board.json()["id"])
        for n in range(OPTIONS):
            card = await animator.post(
                f"/api/v1/boards/{self.board}/cards", json={"title": f"Option {n + 1}"}
            )
            card.raise_for_status()
            self.card_ids.append(int(card.json()["id"]))
        gate = asyncio.Semaphore(8)

        async def member(index: int) -> tuple[httpx.AsyncClient, int]:
            async with gate:
                http = await self._register(index)
                invitation = await animator.post(
                    f"/api/v1/collectives/{self.collective}/invitations", json={"role": "member"}
                )
                invitation.raise_for_status()
                token = invitation.json()["url"].rsplit("/", 1)[1]
                (await http.post(f"/api/v1/invitations/{token}/accept")).raise_for_status()
                me = await http.get("/api/v1/me")
                me.raise_for_status()
                return http, int(me.json()["user"]["id"])

        joined = await asyncio.gather(*(member(i) for i in range(1, self.users_wanted)))
        self.members = [http for http, _ in joined]
        self.member_ids = [user_id for _, user_id in joined]
        for http in (animator, *self.members):
            cookie = http.cookies.get("essaim_session")
            if not cookie:
                raise RuntimeError("register did not set the essaim_session cookie")
            self.cookies.append(cookie)

    async def close(self) -> None:
        await super().close()
        for http in self.members:
            await http.aclose()


# ---------------------------------------------------------------- the vote


@dataclass
class VoteResult:
    participants: int
    ballots_sent: int = 0  # accepted PUTs, replacements included
    replaced: int = 0
    refused_over_budget: int = 0  # overspending attempts refused (all of them, expected)
    accepted_over_budget: int = 0  # overspending attempts accepted (expected 0)
    final_over_budget: int = 0
    final_mismatch: int = 0  # final ballots that differ from what was last sent
    counted_once: bool = False  # the tally equals the sum of the final ballots
    live_matches: int = 0  # participants whose last live counts equal the tally
    deliveries: int = 0
    lost: int = 0
    duplicated: int = 0
    failures: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    card_p50_ms: float = 0.0
    card_p99_ms: float = 0.0
    card_lost: int = 0
    problems: list[str] = field(default_factory=list)


def draw_ballot(rng: random.Random, option_ids: Sequence[int]) -> dict[str, int]:
    """1 to BUDGET dots over the options, at most MAX_PER_OPTION on one."""
    dots: Counter[int] = Counter()
    for _ in range(rng.randint(1, BUDGET)):
        choices = [o for o in option_ids if dots[o] < MAX_PER_OPTION]
        dots[rng.choice(choices)] += 1
    return {str(o): n for o, n in dots.items()}


def option_id(option: dict[str, Any]) -> int:
    return int(option["id"])


def tally_of(vote: dict[str, Any]) -> dict[int, int]:
    """Dots per option in ``GET /votes/{id}``'s results."""
    results = vote["results"]
    return {int(o["id"]): int(o["count"]) for o in results["options"]}


def live_counts(data: Any) -> dict[int, int] | None:
    """The counts a ``ballot.cast`` carries (live results), or None when it carries none."""
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, dict) or "options" not in results:
        return None
    return {int(o["id"]): int(o["count"]) for o in results["options"]}


async def cast_all(
    target: VotesTarget, vote_id: int, option_ids: list[int], seconds: float, seed: int
) -> tuple[dict[tuple[int, int], float], dict[int, dict[str, int]], VoteResult]:
    """Every participant's ballots, spread over ``seconds``: answers the send time of each
    voter's k-th accepted ballot, their last accepted ballot, and the counters so far."""
    rng = random.Random(seed)
    count = len(target.members)
    result = VoteResult(count)
    plan: list[tuple[float, int]] = [(rng.uniform(0, seconds * 0.7), i) for i in range(count)]
    plan.sort()
    sent: dict[tuple[int, int], float] = {}
    last: dict[int, dict[str, int]] = {}
    url = f"/api/v1/votes/{vote_id}/ballot"
    start = now()

    async def put(index: int, ballot: dict[str, int]) -> int:
        voter = target.member_ids[index]
        k = sum(1 for v, _ in sent if v == voter)
        at = now()
        response = await target.members[index].request("PUT", url, json={"dots": ballot})
        if response.status_code == 200:
            sent[(voter, k)] = at
            last[voter] = ballot
            result.ballots_sent += 1
        return response.status_code

    async def voter(delay: float, index: int) -> None:
        await asyncio.sleep(max(0.0, start + delay - now()))
        try:
            if rng.random() < 0.1:  # overspending first: the server must refuse it
                greedy = {str(o): 1 for o in option_ids[: BUDGET + 1]}
                if await put(index, greedy) == 200:
                    result.accepted_over_budget += 1
                else:
                    result.refused_over_budget += 1
            if await put(index, draw_ballot(rng, option_ids)) != 200:
                result.failures += 1
            if rng.random() < 0.25:  # changes their mind once
                await asyncio.sleep(rng.uniform(0, seconds * 0.25))
                if await put(index, draw_ballot(rng, option_ids)) == 200:
                    result.replaced += 1
                else:
                    result.failures += 1
        except httpx.HTTPError as exc:
            result.failures += 1
            result.problems.append(f"participant {index}: {exc!r}")

    await asyncio.wait_for(asyncio.gather(*(voter(d, i) for d, i in plan)), seconds + 60)
    return sent, last, result


async def measure(participants: int, seconds: float, seed: int, workdir: Path) -> VoteResult:
    target = VotesTarget(workdir, participants, 100_000)
    clients: list[BenchClient] = []
    pinger: asyncio.Task[None] | None = None
    try:
        await target.start()
        dialect = target.dialect()
        pinger = asyncio.create_task(keepalive(clients, dialect, 20.0))

        await open_vote_clients(clients, participants, target, dialect)
        await asyncio.sleep(0.5)
        for client in clients:
            client.other.clear()

        # Baseline: the same number of card publishes over the same time, same clients.
        rate = max(1.0, participants * 1.3 / seconds)
        card_count = max(1, int(participants * 1.3))
        card_sent: dict[int, float] = {}
        accepted, _, _ = await publish_loop(target, card_count, rate, card_sent)
        expected = {n for n in range(card_count) if accepted[n]}
        await drain(lambda: sum(len(c.ids) for c in clients), len(expected) * len(clients))
        card_latencies = sorted(
            t - card_sent[n] for c in clients for n, t in zip(c.ids, c.times, strict=True)
        )
        card_lost = sum(len(expected - set(c.ids)) for c in clients)

        assert target.http is not None
        opened = await target.http.post(
            f"/api/v1/collectives/{target.collective}/votes",
            json={
                "title": "Les idées à expérimenter",
                "method": "dot",
                "card_ids": target.card_ids,
                "budget": BUDGET,
                "max_per_option": MAX_PER_OPTION,
                "anonymous": False,
                "results": "live",
                "board_id": target.board,
            },
        )
        if opened.status_code != 201:
            raise RuntimeError(f"opening the vote failed: {opened.status_code} {opened.text}")
        vote_id = int(opened.json()["id"])
        option_ids = [option_id(o) for o in opened.json()["options"]]
        sent, last, result = await cast_all(target, vote_id, option_ids, seconds, seed)
        result.card_p50_ms = percentile(card_latencies, 0.5) * 1000
        result.card_p99_ms = percentile(card_latencies, 0.99) * 1000
        result.card_lost = card_lost
        votes = [c for c in clients if isinstance(c, VoteClient)]
        await drain(lambda: sum(len(c.ballots) for c in votes), len(sent) * len(votes))

        # Correctness: final ballots, budget, tally, live counts.
        expected_tally: Counter[int] = Counter()
        for index, http in enumerate(target.members):
            voter_id = target.member_ids[index]
            mine = await http.get(f"/api/v1/votes/{vote_id}/ballot")
            mine.raise_for_status()
            ballot = (mine.json().get("ballot") or {}).get("dots") or {}
            final = {str(k): int(v) for k, v in ballot.items() if int(v)}
            if sum(final.values()) > BUDGET or any(v > MAX_PER_OPTION for v in final.values()):
                result.final_over_budget += 1
            if final != last.get(voter_id, {}):
                result.final_mismatch += 1
            expected_tally.update({int(k): v for k, v in final.items()})
        vote = await target.http.get(f"/api/v1/votes/{vote_id}")
        vote.raise_for_status()
        tally = tally_of(vote.json())
        result.counted_once = tally == {o: expected_tally.get(o, 0) for o in option_ids}

        latencies: list[float] = []
        for client in votes:
            seen: Counter[tuple[int, int]] = Counter()
            per_actor: Counter[int] = Counter()
            for actor, _, received in client.ballots:
                if actor is None:
                    result.problems.append("a ballot.cast of an open vote without its actor")
                    continue
                key = (int(actor), per_actor[int(actor)])
                per_actor[int(actor)] += 1
                seen[key] += 1
                if key in sent:
                    latencies.append(received - sent[key])
            result.deliveries += len(client.ballots)
            result.duplicated += sum(n - 1 for n in seen.values() if n > 1)
            result.lost += len(set(sent) - set(seen))
            counts = live_counts(client.ballots[-1][1]) if client.ballots else None
            result.live_matches += counts == tally
        latencies.sort()
        result.p50_ms = percentile(latencies, 0.5) * 1000
        result.p99_ms = percentile(latencies, 0.99) * 1000
        result.max_ms = (latencies[-1] if latencies else float("nan")) * 1000
        return result
    finally:
        if pinger is not None:
            pinger.cancel()
        for client in clients:
            client.abort()
        with contextlib.suppress(Exception):
            await target.close()
        target.stop()


async def open_vote_clients(
    clients: list[BenchClient], count: int, target: VotesTarget, dialect: Dialect
) -> None:
    """Open and subscribe ``count`` participants' sockets (participant i: cookie i + 1, 0
    being the animator's), as ``bench.fanout.open_clients`` does with its own client."""
    loop = asyncio.get_running_loop()
    url = f"ws://{HOST}:{target.port}{dialect.path}"
    origin = f"http://{HOST}:{target.port}"
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(index: int) -> None:
        async with gate:
            client = VoteClient(url, origin, target.headers(index + 1), dialect)
            clients.append(client)
            await loop.create_connection(lambda: client, HOST, target.port)
            await asyncio.wait_for(asyncio.shield(client.ready), HANDSHAKE_TIMEOUT)

    results = await asyncio.gather(*(one(i) for i in range(count)), return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        raise RuntimeError(f"{len(errors)} of {count} clients failed to subscribe: {errors[0]!r}")


async def drain(total: Any, expected: int, quiet: float = 3.0) -> None:
    """Wait until ``total()`` reaches ``expected`` or stops growing for ``quiet`` seconds."""
    last_total, last_change, deadline = -1, now(), now() + 30
    while now() < deadline:
        current = total()
        if current >= expected:
            return
        if current != last_total:
            last_total, last_change = current, now()
        elif now() - last_change > quiet:
            return
        await asyncio.sleep(0.05)


# ---------------------------------------------------------------- report


def summary_line(r: VoteResult) -> str:
    ratio = r.p99_ms / r.card_p99_ms if r.card_p99_ms else float("nan")
    return (
        f"votes participants={r.participants} ballots={r.ballots_sent} replaced={r.replaced} "
        f"refused_over_budget={r.refused_over_budget} "
        f"accepted_over_budget={r.accepted_over_budget} final_over_budget={r.final_over_budget} "
        f"final_mismatch={r.final_mismatch} counted_once={str(r.counted_once).lower()} "
        f"live_matches={r.live_matches} deliveries={r.deliveries} lost={r.lost} "
        f"duplicated={r.duplicated} failures={r.failures} p50_ms={r.p50_ms:.1f} "
        f"p99_ms={r.p99_ms:.1f} card_p99_ms={r.card_p99_ms:.1f} ratio_vs_cards={ratio:.2f}"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.votes",
        description="Dot votes with live results on one board, against the card fan-out.",
    )
    parser.add_argument("--participants", type=int, default=200, help="voters on /ws (200)")
    parser.add_argument("--seconds", type=float, default=10.0, help="time to vote (10)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the ballots drawn (7)")
    args = parser.parse_args(argv)
    if args.participants < 2 or args.seconds <= 0:
        parser.error("need --participants ≥ 2 and --seconds > 0")
    return args


async def run(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="essaim-votes-"))
    try:
        print(f"votes: {args.participants} participants, ballots within {args.seconds:g} s …")
        r = await measure(args.participants, args.seconds, args.seed, workdir)
        print(f"  cards (baseline): p50 {r.card_p50_ms:.1f} ms, p99 {r.card_p99_ms:.1f} ms")
        print(f"  tally (ballot.cast): p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms")
        for problem in r.problems[:10]:
            print("note:", problem)
        print(summary_line(r))
        correct = (
            r.counted_once
            and r.accepted_over_budget == r.final_over_budget == r.final_mismatch == 0
            and r.lost == r.duplicated == r.failures == 0
            and r.live_matches == r.participants
        )
        return 0 if correct else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    return run_fast(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
