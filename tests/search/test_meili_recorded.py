"""The Meilisearch backend against recorded exchanges of Meilisearch's documented HTTP API.

A Meilisearch server cannot be installed where Essaim is developed. Each file under
``recordings/`` is a sequence of request/response exchanges written from Meilisearch's API
reference (every exchange names the page it follows). A replay server on 127.0.0.1 serves one
sequence per test: each incoming request must be the next one recorded (method, path, query,
``Authorization`` header, the body's relevant keys; a ``filter`` is *evaluated* against probe
documents it must admit or reject, so its spelling is free but its meaning is checked) and gets
the recorded answer. Anything else answers ``replay_mismatch`` and fails the test with a diff.

The real ``search.meili`` backend is driven (``backend_from_url`` with ``SEARCH_URL`` and
``SEARCH_API_KEY``), alone or inside the app, its indexer and its search runtime.
"""

from __future__ import annotations

import asyncio
import difflib
import json
import re
import shutil
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select, update
from starlette.applications import Starlette

from search.backend import SearchBackend, SearchUnavailable
from search.documents import CardState, Document
from search.indexer import Indexer
from search.meili import MeilisearchBackend
from search.query import Query, parse_words
from search.registry import backend_from_url
from search.runtime import SearchRuntime
from server.app.asgi import create_app
from server.core.db import Database
from server.core.models import OutboxEntry, utcnow
from server.core.platform import Essaim
from server.core.settings import Settings
from tests.conftest import ApiClient, Template, fast_settings, join

RECORDINGS = Path(__file__).parent / "recordings"
INDEX = "essaim_recorded"
API_KEY = "essaim-recorded-key"

# ---------------------------------------------------------------- body patterns


def mismatches(pattern: Any, actual: Any, where: str = "body") -> list[str]:
    """How ``actual`` departs from ``pattern``: plain values must be equal, objects must hold
    the pattern's keys (others are free), and ``{"$op": arg}`` checks a property."""
    if isinstance(pattern, dict) and len(pattern) == 1 and next(iter(pattern)).startswith("$"):
        op, arg = next(iter(pattern.items()))
        if op == "$contains":
            if not isinstance(actual, list):
                return [f"{where}: expected a list, got {actual!r}"]
            missing = [v for v in arg if v not in actual]
            return [f"{where}: lacks {missing!r}"] if missing else []
        if op == "$each":
            if not isinstance(actual, list) or not actual:
                return [f"{where}: expected a non-empty list, got {actual!r}"]
            return [
                p for i, item in enumerate(actual) for p in mismatches(arg, item, f"{where}[{i}]")
            ]
        if op == "$regex":
            if isinstance(actual, str) and re.fullmatch(arg, actual):
                return []
            return [f"{where}: {actual!r} does not match /{arg}/"]
        if op == "$excludes_words":
            if not isinstance(actual, str):
                return [f"{where}: expected a string, got {actual!r}"]
            banned = [w for w in actual.split() if w in arg]
            return [f"{where}: {actual!r} sends {banned!r}"] if banned else []
        if op == "$type":
            kinds: dict[str, type] = {"string": str, "int": int, "bool": bool, "list": list}
            ok = isinstance(actual, kinds[arg]) and not (arg == "int" and isinstance(actual, bool))
            return [] if ok else [f"{where}: expected {arg}, got {actual!r}"]
        raise ValueError(f"unknown pattern operator {op}")
    if isinstance(pattern, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {actual!r}"]
        out: list[str] = []
        for key, sub in pattern.items():
            if sub == {"$absent": True}:
                if key in actual:
                    out.append(f"{where}.{key}: should be absent, got {actual[key]!r}")
            elif key not in actual:
                out.append(f"{where}.{key}: missing")
            else:
                out += mismatches(sub, actual[key], f"{where}.{key}")
        return out
    if isinstance(pattern, list):
        if not isinstance(actual, list) or len(actual) != len(pattern):
            return [f"{where}: expected {len(pattern)} items, got {actual!r}"]
        return [
            p
            for i, (a, b) in enumerate(zip(pattern, actual, strict=True))
            for p in mismatches(a, b, f"{where}[{i}]")
        ]
    if pattern == actual and isinstance(pattern, bool) == isinstance(actual, bool):
        return []
    return [f"{where}: expected {pattern!r}, got {actual!r}"]


# ---------------------------------------------------------------- Meilisearch filters

_FILTER_TOKEN = re.compile(
    r"""\s*(\(|\)|\[|\]|,|!=|>=|<=|=|>|<|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s()\[\],=!<>"']+)"""
)
Doc = dict[str, Any]
Test = Callable[[Doc], bool]


def _canon(value: Any) -> str:
    """Meilisearch compares filter values as strings: true/false, numbers, text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _values(doc: Doc, name: str) -> list[str]:
    value = doc.get(name)
    if value is None:
        return []
    return [_canon(v) for v in (value if isinstance(value, list) else [value])]


class FilterParser:
    """The filter expression syntax of Meilisearch's documentation (``AND``, ``OR``, ``NOT``,
    parentheses, ``=``, ``!=``, ``IN [..]``, ``NOT IN``, ``EXISTS``, comparisons), as a test
    on documents."""

    def __init__(self, text: str) -> None:
        self.tokens: list[str] = []
        pos, end = 0, len(text.rstrip())
        while pos < end:
            found = _FILTER_TOKEN.match(text, pos)
            if not found:
                raise ValueError(f"cannot read the filter at {pos}: {text!r}")
            self.tokens.append(found.group(1))
            pos = found.end()
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token.upper() == word:
            self.pos += 1
            return True
        return False

    def take(self) -> str:
        if self.pos >= len(self.tokens):
            raise ValueError("the filter ends too early")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def value(self) -> str:
        token = self.take()
        if token[:1] in {'"', "'"}:
            return re.sub(r"\\(.)", r"\1", token[1:-1])
        return token

    def parse(self) -> Test:
        test = self.disjunction()
        if self.peek() is not None:
            raise ValueError(f"unexpected {self.peek()!r} in the filter")
        return test

    def disjunction(self) -> Test:
        tests = [self.conjunction()]
        while self.keyword("OR"):
            tests.append(self.conjunction())
        return lambda doc: any(t(doc) for t in tests)

    def conjunction(self) -> Test:
        tests = [self.negation()]
        while self.keyword("AND"):
            tests.append(self.negation())
        return lambda doc: all(t(doc) for t in tests)

    def negation(self) -> Test:
        if self.keyword("NOT"):
            inner = self.negation()
            return lambda doc: not inner(doc)
        if self.peek() == "(":
            self.take()
            inner = self.disjunction()
            if self.take() != ")":
                raise ValueError("unbalanced parentheses in the filter")
            return inner
        return self.condition()

    def listed(self) -> set[str]:
        if self.take() != "[":
            raise ValueError("IN needs a [list]")
        out: set[str] = set()
        while self.peek() != "]":
            out.add(self.value())
            if self.peek() == ",":
                self.take()
        self.take()
        return out

    def condition(self) -> Test:
        name = self.value()
        if self.keyword("IN"):
            allowed = self.listed()
            return lambda doc: any(v in allowed for v in _values(doc, name))
        if self.keyword("NOT"):
            if self.keyword("IN"):
                banned = self.listed()
                return lambda doc: not any(v in banned for v in _values(doc, name))
            if self.keyword("EXISTS"):
                return lambda doc: name not in doc
            raise ValueError("NOT must be followed by IN or EXISTS here")
        if self.keyword("EXISTS"):
            return lambda doc: name in doc
        op = self.take()
        wanted = self.value()
        if op == "=":
            return lambda doc: wanted in _values(doc, name)
        if op == "!=":
            return lambda doc: wanted not in _values(doc, name)
        if op in {">", "<", ">=", "<="}:
            bound = float(wanted)
            compare: dict[str, Callable[[float], bool]] = {
                ">": lambda x: x > bound,
                "<": lambda x: x < bound,
                ">=": lambda x: x >= bound,
                "<=": lambda x: x <= bound,
            }
            return lambda doc: any(compare[op](float(v)) for v in _values(doc, name))
        raise ValueError(f"operator {op!r} is not in Meilisearch's filter syntax")


def filter_test(expression: Any) -> Test:
    """A filter as Meilisearch reads it: a string, or an array (AND of items, inner arrays OR)."""
    if isinstance(expression, str):
        return FilterParser(expression).parse()
    if isinstance(expression, list):
        parts = [
            filter_test(" OR ".join(f"({e})" for e in item))
            if isinstance(item, list)
            else filter_test(item)
            for item in expression
        ]
        return lambda doc: all(p(doc) for p in parts)
    raise ValueError(f"a filter is a string or an array, not {expression!r}")


# ---------------------------------------------------------------- the replay server


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any

    def as_json(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "query": self.query, "body": self.body}


def problems_with(expected: dict[str, Any], seen: Seen) -> list[str]:
    out: list[str] = []
    if seen.method != expected["method"]:
        out.append(f"method: expected {expected['method']}, got {seen.method}")
    if seen.path != expected["path"]:
        out.append(f"path: expected {expected['path']}, got {seen.path}")
    if seen.query != expected.get("query", {}):
        out.append(f"query: expected {expected.get('query', {})}, got {seen.query}")
    for name, value in expected.get("headers", {}).items():
        if seen.headers.get(name.lower()) != value:
            out.append(f"header {name}: expected {value!r}, got {seen.headers.get(name.lower())!r}")
    if "body" in expected:
        out += mismatches(expected["body"], seen.body)
    admits, rejects = expected.get("filter_admits", []), expected.get("filter_rejects", [])
    if admits or rejects:
        expression = seen.body.get("filter") if isinstance(seen.body, dict) else None
        try:
            test = filter_test(expression)
        except ValueError as exc:
            return out + [f"body.filter: {exc}"]
        out += [f"body.filter {expression!r} rejects {doc}" for doc in admits if not test(doc)]
        out += [f"body.filter {expression!r} admits {doc}" for doc in rejects if test(doc)]
    return out


class Replay:
    """Serves the exchanges of one recording, in order, on 127.0.0.1 (a free port)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.name = ""
        self.exchanges: list[dict[str, Any]] = []
        self.position = 0
        self.problems: list[str] = []
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                seen = Seen(
                    self.command,
                    parts.path,
                    dict(parse_qsl(parts.query)),
                    {k.lower(): v for k, v in self.headers.items()},
                    json.loads(raw) if raw.strip() else None,
                )
                status, answer = replay.answer(seen)
                data = b"" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        port = int(self.server.server_address[1])
        self.search_url = f"meilisearch://127.0.0.1:{port}/{INDEX}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Replay:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def play(self, name: str) -> dict[str, Any]:
        """Serve ``recordings/<name>.json`` from its first exchange."""
        recording: dict[str, Any] = json.loads((RECORDINGS / f"{name}.json").read_text())
        # A recording is only as good as its source: each exchange cites the page it follows.
        assert recording["follows"], name
        for exchange in recording["exchanges"]:
            assert exchange["follows"].startswith("https://www.meilisearch.com/docs/"), name
            assert set(exchange) >= {"request", "response"}, name
        with self.lock:
            self.name = name
            self.exchanges = recording["exchanges"]
            self.position = 0
            self.problems = []
        return recording

    def answer(self, seen: Seen) -> tuple[int, Any]:
        with self.lock:
            n = self.position
            if n >= len(self.exchanges):
                problem = (
                    f"{self.name}: request #{n + 1} is beyond the recording "
                    f"({len(self.exchanges)} exchanges):\n{json.dumps(seen.as_json(), indent=2)}"
                )
            else:
                expected = self.exchanges[n]
                found = problems_with(expected["request"], seen)
                if not found:
                    self.position += 1
                    response = expected["response"]
                    return int(response["status"]), response.get("body")
                problem = (
                    f"{self.name}: request #{n + 1} is not the recorded one "
                    f"({expected.get('follows', '')}):\n  - " + "\n  - ".join(found) + "\n"
                )
                if "$" not in json.dumps(expected["request"].get("body")):
                    # Plain recorded values: a line diff shows where the request departs.
                    recorded = {k: expected["request"].get(k) for k in ("method", "path", "body")}
                    sent = {k: seen.as_json()[k] for k in ("method", "path", "body")}
                    problem += "\n".join(
                        difflib.unified_diff(
                            json.dumps(recorded, indent=2, ensure_ascii=False).splitlines(),
                            json.dumps(sent, indent=2, ensure_ascii=False).splitlines(),
                            "recorded",
                            "sent",
                            lineterm="",
                        )
                    )
                else:
                    problem += "sent: " + json.dumps(seen.as_json(), indent=2, ensure_ascii=False)
            self.problems.append(problem)
        error = {"message": problem, "code": "replay_mismatch", "type": "invalid_request"}
        return 400, {**error, "link": ""}

    def play_nothing(self) -> None:
        """Between tests: any request is unexpected."""
        with self.lock:
            self.name, self.exchanges, self.position, self.problems = "(none)", [], 0, []

    @property
    def done(self) -> bool:
        with self.lock:
            return self.position == len(self.exchanges)

    def assert_done(self) -> None:
        with self.lock:
            assert not self.problems, "\n\n".join(self.problems)
            left = self.exchanges[self.position :]
            assert not left, (
                f"{self.name}: {len(left)} recorded request(s) never came: "
                + ", ".join(f"{e['request']['method']} {e['request']['path']}" for e in left)
            )

    async def wait_done(self, seconds: float = 5.0) -> None:
        for _ in range(int(seconds / 0.01)):
            if self.done or self.problems:
                return
            await asyncio.sleep(0.01)


@pytest.fixture(scope="module")
def replay_server() -> Iterator[Replay]:
    with Replay() as replay:
        yield replay


@pytest.fixture
def replay(replay_server: Replay) -> Iterator[Replay]:
    yield replay_server
    replay_server.play_nothing()


T = TypeVar("T")


async def played(replay: Replay, call: Awaitable[T]) -> T:
    """Await ``call``; when it fails because a request was not the recorded one, fail with the
    replay's account of it rather than the client's error."""
    try:
        return await call
    except SearchUnavailable:
        if replay.problems:
            raise AssertionError("\n\n".join(replay.problems)) from None
        raise


# ---------------------------------------------------------------- backends and the app


def recorded_settings(
    tmp_path: Path, database_url: str, api_key: str = API_KEY, *, url: str
) -> Settings:
    return fast_settings(tmp_path / "data", database_url, search_url=url, search_api_key=api_key)


@pytest.fixture
async def backend(tmp_path: Path, replay: Replay) -> AsyncIterator[MeilisearchBackend]:
    """The backend ``SEARCH_URL=meilisearch://127.0.0.1:<port>/essaim_recorded`` selects."""
    settings = recorded_settings(tmp_path, "sqlite+aiosqlite:///:memory:", url=replay.search_url)
    database = Database(settings.database_url)
    chosen = backend_from_url(settings, database)
    assert isinstance(chosen, MeilisearchBackend)
    try:
        yield chosen
    finally:
        await chosen.close()
        await database.dispose()


@pytest.fixture
async def app(
    tmp_path: Path, sqlite_template: Template, replay: Replay
) -> AsyncIterator[Starlette]:
    assert sqlite_template.path is not None
    target = tmp_path / "essaim.db"
    shutil.copyfile(sqlite_template.path, target)
    settings = recorded_settings(tmp_path, f"sqlite+aiosqlite:///{target}", url=replay.search_url)
    application = create_app(settings, migrate=False)
    async with application.router.lifespan_context(application):
        # The app's own indexer would retry against the replay server in the background;
        # each test drives its own runtime instead.
        await application.state.search.stop()
        yield application


@dataclass
class Seeded:
    essaim: Essaim
    animator: ApiClient
    member: ApiClient
    collective_id: int
    board_id: int
    card_id: int

    async def outbox(self) -> list[OutboxEntry]:
        async with self.essaim.db.read() as session:
            return list((await session.scalars(select(OutboxEntry))).all())

    async def make_due(self) -> None:
        async with self.essaim.db.write() as session:
            await session.execute(update(OutboxEntry).values(available_at=func.now()))
            await session.commit()


@pytest.fixture
async def seeded(app: Starlette) -> AsyncIterator[Seeded]:
    """A collective animated by anna, marc a member, and marc's card (one outbox row)."""
    animator, member = ApiClient(app), ApiClient(app)
    await animator.register("anna")
    await member.register("marc")
    created = await animator.post("/api/v1/collectives", json={"name": "Rénovation Drôme"})
    cid = int(created.json()["id"])
    await join(animator, member, cid, "member")
    board = await animator.post(
        f"/api/v1/collectives/{cid}/boards", json={"name": "Pratiques", "kind": "practices"}
    )
    assert board.status_code == 201, board.text
    card = await member.post(
        f"/api/v1/boards/{board.json()['id']}/cards",
        json={
            "title": "Pompe à chaleur : retour d'expérience",
            "body": "Le devis <signé> de la pompe à chaleur air-eau, R&D comprise.",
            "kind": "practice",
            "tags": ["energie"],
        },
    )
    assert card.status_code == 201, card.text
    essaim: Essaim = app.state.essaim
    yield Seeded(essaim, animator, member, cid, int(board.json()["id"]), int(card.json()["id"]))
    for client in (animator, member):
        await client.aclose()


@dataclass
class FixedRuntime:
    """What the search endpoint reads from ``app.state.search``: the backend."""

    backend: SearchBackend


# ---------------------------------------------------------------- documents used below

STATE = CardState(
    card_id=5, collective_id=3, board_id=8, kind="practice", tags=("energie",), hidden=False
)


def documents() -> list[Document]:
    card = Document(
        "card",
        5,
        0,
        STATE,
        2,
        False,
        "Pompe à chaleur : retour d'expérience",
        "Le devis de la pompe à chaleur air-eau divise la facture par trois.",
    )
    comment = Document("comment", 4, 0, STATE, 7, False, card.title, "Très utile, merci !")
    chunks = [
        Document("attachment", 7, n, STATE, 2, False, "devis-pac.pdf", text)
        for n, text in enumerate(
            ["Devis pompe à chaleur, page une.", "Installation des pompes, page deux."]
        )
    ]
    return [card, comment, *chunks]


# ---------------------------------------------------------------- preparing the index


async def test_prepare_creates_the_index_then_applies_settings_and_waits(
    backend: MeilisearchBackend, replay: Replay
) -> None:
    replay.play("prepare")
    await played(replay, backend.prepare())
    replay.assert_done()


async def test_prepare_accepts_an_index_that_already_exists(
    backend: MeilisearchBackend, replay: Replay
) -> None:
    replay.play("prepare_existing_index")
    await played(replay, backend.prepare())
    replay.assert_done()


async def test_settings_are_applied_before_the_first_document_and_the_outbox_drains(
    seeded: Seeded, app: Starlette, replay: Replay
) -> None:
    """The runtime prepares the index (settings task awaited until it succeeded) before its
    indexer sends the card waiting in the outbox; then a member's search goes through the API."""
    replay.play("runtime_settings_before_documents")
    runtime = SearchRuntime(seeded.essaim, poll=3600)
    await runtime.start()
    app.state.search = runtime
    try:
        for _ in range(500):
            if not await seeded.outbox() or replay.problems:
                break
            await asyncio.sleep(0.01)
        assert not replay.problems, "\n\n".join(replay.problems)
        assert await seeded.outbox() == []
        response = await seeded.member.get("/api/v1/search", params={"q": "pompes à chaleur "})
        assert response.status_code == 200, response.text
    finally:
        await runtime.stop()
    replay.assert_done()
    assert seeded.card_id == 1 and seeded.collective_id == 1 and seeded.board_id == 1
    answer = response.json()
    assert answer["total"] == 1
    assert [(h["type"], h["id"], h["card_id"]) for h in answer["hits"]] == [("card", 1, 1)]
    hit = answer["hits"][0]
    assert hit["title"] == "Pompe à chaleur : retour d'expérience"
    assert hit["snippet"] == (
        "Le devis &lt;signé&gt; de la <mark>pompe</mark> à <mark>chaleur</mark> air-eau, R&amp;D "
        "comprise."
    )
    assert answer["facets"] == {"kind": {"practice": 1}, "tag": {"energie": 1}, "board": {"1": 1}}


# ---------------------------------------------------------------- writes


async def test_upsert_replaces_attachment_chunks_then_sends_stemmed_shadow_fields(
    backend: MeilisearchBackend, replay: Replay
) -> None:
    replay.play("upsert_documents")
    await played(replay, backend.upsert(documents()))
    replay.assert_done()


async def test_removals_delete_by_filter_and_clear_deletes_all(
    backend: MeilisearchBackend, replay: Replay
) -> None:
    replay.play("remove_documents")
    await played(replay, backend.remove(["comment-4", "attachment-7"]))
    await played(replay, backend.remove_cards([5, 6]))
    await played(replay, backend.clear())
    replay.assert_done()


async def test_card_fields_are_copied_onto_every_piece_by_partial_update(
    backend: MeilisearchBackend, replay: Replay
) -> None:
    replay.play("update_cards")
    moved = CardState(5, 3, 9, "experiment", ("energie", "bois"), hidden=True)
    await played(replay, backend.update_cards([moved]))
    replay.assert_done()


# ---------------------------------------------------------------- search


async def test_member_search_sends_its_filter_and_reads_hits_facets_and_total(
    backend: MeilisearchBackend, replay: Replay
) -> None:
    replay.play("search_member")
    text = "pompes à chaleur "
    result = await played(
        replay, backend.search(Query(text, parse_words(text), collective_ids=(3,)))
    )
    replay.assert_done()
    assert result.total == 3
    assert [(h.type, h.id, h.card_id) for h in result.hits] == [
        ("card", 5, 5),
        ("attachment", 7, 5),
        ("comment", 4, 5),
    ]
    assert [h.title for h in result.hits] == [
        "Pompe à chaleur : retour d'expérience",
        "devis-pac.pdf",
        "Pompe à chaleur : retour d'expérience",
    ]
    assert result.hits[0].snippet == (
        "Le devis de la <mark>pompe</mark> à <mark>chaleur</mark> air-eau divise la facture "
        "par trois."
    )
    assert result.hits[1].snippet == "Installation des <mark>pompes</mark>, page &lt;2&gt;."
    assert "<mark>" not in result.hits[2].snippet  # the comment matched on its card's title
    assert result.facets == {
        "kind": {"practice": 3},
        "tag": {"energie": 3, "bois": 1},
        "board": {"8": 3},
    }


async def test_animator_search_sees_hidden_content_only_where_they_animate(
    backend: MeilisearchBackend, replay: Replay
) -> None:
    replay.play("search_animator_filters")
    text = "isolat"
    query = Query(
        text,
        parse_words(text),
        collective_ids=(3, 5),
        animated_ids=(3,),
        kind="practice",
        tag="energie",
        board_id=8,
        author_id=2,
        limit=10,
        offset=20,
    )
    result = await played(replay, backend.search(query))
    replay.assert_done()
    assert result.total == 21
    assert [(h.type, h.id) for h in result.hits] == [("card", 11)]
    assert result.hits[0].snippet == "<mark>Isolation</mark> des combles perdus"
    assert result.facets == {"kind": {"practice": 21}, "tag": {"energie": 21}, "board": {"8": 21}}


async def test_a_word_whose_stem_is_a_stop_word_is_still_searched(
    backend: MeilisearchBackend, replay: Replay
) -> None:
    replay.play("search_stem_is_a_stop_word")
    text = "sons "
    result = await played(
        replay, backend.search(Query(text, parse_words(text), collective_ids=(3,)))
    )
    replay.assert_done()
    assert [h.id for h in result.hits] == [14]


# ---------------------------------------------------------------- failures


async def test_an_engine_answering_5xx_leaves_the_outbox_rows_for_a_retry(
    seeded: Seeded, replay: Replay
) -> None:
    replay.play("indexer_server_error")
    indexer = Indexer(seeded.essaim, backend_from_url(seeded.essaim.settings, seeded.essaim.db))
    before = utcnow()
    with pytest.raises(SearchUnavailable, match="internal"):
        await indexer.drain()
    rows = await seeded.outbox()
    assert [(r.entity, r.entity_id, r.attempts) for r in rows] == [("card", seeded.card_id, 1)]
    assert all(r.available_at >= before + timedelta(seconds=0.4) for r in rows)
    # The engine is back: the same rows go through, and only then leave the outbox.
    await seeded.make_due()
    assert await played(replay, indexer.drain()) == 1
    assert await seeded.outbox() == []
    replay.assert_done()


async def test_a_failed_task_leaves_the_outbox_rows_for_a_retry(
    seeded: Seeded, replay: Replay
) -> None:
    replay.play("indexer_task_failed")
    indexer = Indexer(seeded.essaim, backend_from_url(seeded.essaim.settings, seeded.essaim.db))
    with pytest.raises(SearchUnavailable, match="failed"):
        await indexer.drain()
    rows = await seeded.outbox()
    assert [(r.entity, r.entity_id, r.attempts) for r in rows] == [("card", seeded.card_id, 1)]
    replay.assert_done()


async def test_an_invalid_api_key_answers_503_search_unavailable(
    seeded: Seeded, app: Starlette, replay: Replay
) -> None:
    replay.play("invalid_api_key")
    revoked = MeilisearchBackend.from_url(replay.search_url, "revoked-key")
    app.state.search = FixedRuntime(revoked)
    with pytest.raises(SearchUnavailable, match="invalid_api_key"):
        await revoked.search(Query("pompe", parse_words("pompe"), collective_ids=(1,)))
    response = await seeded.member.get("/api/v1/search", params={"q": "pompe"})
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "search_unavailable"
    replay.assert_done()


async def test_a_missing_index_is_unavailable_search(
    backend: MeilisearchBackend, replay: Replay
) -> None:
    replay.play("index_not_found")
    with pytest.raises(SearchUnavailable, match="index_not_found"):
        await backend.search(Query("pompe", parse_words("pompe"), collective_ids=(3,)))
    replay.assert_done()
