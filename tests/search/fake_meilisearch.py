"""A stand-in Meilisearch server (the real one cannot be installed here), speaking the part of
Meilisearch's documented HTTP API the backend uses: indexes, settings, documents (add, partial
update, delete by filter, fetch), search (filters, facets, distinct, prefix on the last word,
typo tolerance 1 from 5 letters and 2 from 9, the "last" matching strategy) and tasks.

Its ranking is a simplification (words matched, then typos, then attribute order); what it
proves is that the backend speaks the API and that filtering and visibility are sent right.
``down = True`` drops every connection, as an engine that crashed would.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from search.typos import allowed_typos, distance


def _tokens(value: Any) -> list[str]:
    text = " ".join(value) if isinstance(value, list) else str(value)
    folded = unicodedata.normalize("NFKD", text.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", folded)


# ---------------------------------------------------------------- filter expressions

_FILTER_TOKEN = re.compile(r'\s*(\(|\)|\[|\]|,|!=|>=|<=|=|"(?:[^"\\]|\\.)*"|[^\s()\[\],=]+)')


def _lex(text: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text.rstrip()):
        m = _FILTER_TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"bad filter at {pos}: {text!r}")
        out.append(m.group(1))
        pos = m.end()
    return out


def _value(token: str) -> Any:
    if token.startswith('"'):
        return json.loads(token)
    if token in ("true", "false"):
        return token == "true"
    try:
        return int(token)
    except ValueError:
        return token


class _Filter:
    def __init__(self, text: str) -> None:
        self.tokens = _lex(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        self.pos += 1
        return self.tokens[self.pos - 1]

    def parse(self) -> Any:
        node = self.disjunction()
        if self.peek() is not None:
            raise ValueError(f"unexpected {self.peek()!r}")
        return node

    def disjunction(self) -> Any:
        node = self.conjunction()
        while self.peek() == "OR":
            self.take()
            node = ("or", node, self.conjunction())
        return node

    def conjunction(self) -> Any:
        node = self.atom()
        while self.peek() == "AND":
            self.take()
            node = ("and", node, self.atom())
        return node

    def atom(self) -> Any:
        if self.peek() == "(":
            self.take()
            node = self.disjunction()
            assert self.take() == ")"
            return node
        field, op = self.take(), self.take()
        if op == "IN":
            assert self.take() == "["
            values = []
            while self.peek() != "]":
                values.append(_value(self.take()))
                if self.peek() == ",":
                    self.take()
            self.take()
            return ("in", field, values)
        if op == "=":
            return ("in", field, [_value(self.take())])
        raise ValueError(f"operator {op!r} not supported by the fake")


def _matches_filter(node: Any, doc: dict[str, Any]) -> bool:
    if node is None:
        return True
    if node[0] == "and":
        return _matches_filter(node[1], doc) and _matches_filter(node[2], doc)
    if node[0] == "or":
        return _matches_filter(node[1], doc) or _matches_filter(node[2], doc)
    value = doc.get(node[1])
    values = value if isinstance(value, list) else [value]
    return any(v in node[2] for v in values)


# ---------------------------------------------------------------- the index


class FakeIndex:
    def __init__(self, uid: str, primary_key: str | None) -> None:
        self.uid = uid
        self.primary_key = primary_key or "id"
        self.documents: dict[str, dict[str, Any]] = {}
        self.settings: dict[str, Any] = {
            "searchableAttributes": ["*"],
            "filterableAttributes": [],
            "distinctAttribute": None,
            "stopWords": [],
        }

    def check_filterable(self, node: Any) -> None:
        if node is None:
            return
        if node[0] in ("and", "or"):
            self.check_filterable(node[1])
            self.check_filterable(node[2])
        elif node[1] not in self.settings["filterableAttributes"]:
            raise KeyError(node[1])

    def search(self, body: dict[str, Any]) -> dict[str, Any]:
        stop = set(self.settings["stopWords"])
        q = body.get("q") or ""
        words = [w for w in _tokens(q) if w not in stop]
        typing = bool(q) and not q[-1].isspace()
        node = _Filter(body["filter"]).parse() if body.get("filter") else None
        self.check_filterable(node)
        attributes = self.settings["searchableAttributes"]
        candidates = [d for d in self.documents.values() if _matches_filter(node, d)]
        ranked: list[tuple[tuple[int, int, int], dict[str, Any]]] = []
        # The "last" strategy: all words, else drop words from the end until something matches.
        for used in range(len(words), 0, -1):
            query = words[:used]
            for doc in candidates:
                score = self._score(
                    doc, query, attributes, prefix_last=typing and used == len(words)
                )
                if score is not None:
                    ranked.append((score, doc))
            if ranked:
                break
        if not words:
            ranked = [((0, 0, 0), d) for d in candidates]
        ranked.sort(key=lambda pair: pair[0])
        distinct = self.settings.get("distinctAttribute")
        seen: set[Any] = set()
        hits = []
        for _, doc in ranked:
            if distinct:
                if doc.get(distinct) in seen:
                    continue
                seen.add(doc.get(distinct))
            hits.append(doc)
        facets: dict[str, dict[str, int]] = {}
        for name in body.get("facets") or []:
            counts: dict[str, int] = {}
            for doc in hits:
                value = doc.get(name)
                for v in value if isinstance(value, list) else [value]:
                    if v is not None:
                        counts[str(v)] = counts.get(str(v), 0) + 1
            facets[name] = counts
        offset, limit = int(body.get("offset", 0)), int(body.get("limit", 20))
        fields = body.get("attributesToRetrieve") or ["*"]
        page = [
            {k: v for k, v in d.items() if "*" in fields or k in fields}
            for d in hits[offset : offset + limit]
        ]
        return {
            "hits": page,
            "query": body.get("q") or "",
            "processingTimeMs": 0,
            "limit": limit,
            "offset": offset,
            "estimatedTotalHits": len(hits),
            "facetDistribution": facets,
            "facetStats": {},
        }

    @staticmethod
    def _score(
        doc: dict[str, Any], words: list[str], attributes: list[str], prefix_last: bool
    ) -> tuple[int, int, int] | None:
        fields = [(i, _tokens(doc.get(a, ""))) for i, a in enumerate(attributes)]
        typos_total, best_attribute = 0, len(attributes)
        for n, word in enumerate(words):
            prefix = prefix_last and n == len(words) - 1
            best: tuple[int, int] | None = None
            for i, tokens in fields:
                for token in tokens:
                    if token == word or (prefix and token.startswith(word)):
                        typos = 0
                    else:
                        limit = allowed_typos(word)
                        typos = distance(word, token, limit)
                        if prefix and typos > limit and len(token) > len(word):
                            typos = distance(word, token[: len(word)], limit)
                        if typos > limit:
                            continue
                    if best is None or (typos, i) < best:
                        best = (typos, i)
            if best is None:
                return None
            typos_total += best[0]
            best_attribute = min(best_attribute, best[1])
        return (-len(words), typos_total, best_attribute)


class FakeMeilisearch:
    """Serves on 127.0.0.1 on a free port, in a thread; ``url`` is where."""

    def __init__(self) -> None:
        self.indexes: dict[str, FakeIndex] = {}
        self.tasks: dict[int, dict[str, Any]] = {}
        self.down = False
        self.requests: list[tuple[str, str, Any]] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _body(self) -> Any:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                return json.loads(raw) if raw else None

            def _handle(self) -> None:
                if fake.down:
                    # Like a crashed engine: the connection closes with no answer.
                    self.close_connection = True
                    self.connection.close()
                    return
                body = self._body()
                with fake.lock:
                    fake.requests.append((self.command, self.path, body))
                    status, answer = fake.route(self.command, self.path.split("?")[0], body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeMeilisearch:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------ routing

    def _task(
        self, index: str | None, kind: str, error: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        uid = len(self.tasks)
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        self.tasks[uid] = {
            "uid": uid,
            "indexUid": index,
            "status": "failed" if error else "succeeded",
            "type": kind,
            "details": {},
            "error": error,
            "duration": "PT0S",
            "enqueuedAt": now,
            "startedAt": now,
            "finishedAt": now,
        }
        return 202, {
            "taskUid": uid,
            "indexUid": index,
            "status": "enqueued",
            "type": kind,
            "enqueuedAt": now,
        }

    @staticmethod
    def _error(status: int, code: str, message: str) -> tuple[int, dict[str, Any]]:
        return status, {"message": message, "code": code, "type": "invalid_request", "link": ""}

    def route(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        parts = [p for p in path.split("/") if p]
        if parts == ["health"]:
            return 200, {"status": "available"}
        if parts[:1] == ["tasks"] and len(parts) == 2:
            return 200, self.tasks[int(parts[1])]
        if parts == ["indexes"] and method == "POST":
            uid = body["uid"]
            if uid in self.indexes:
                error = {"code": "index_already_exists", "message": f"Index `{uid}` exists."}
                return self._task(uid, "indexCreation", error)
            self.indexes[uid] = FakeIndex(uid, body.get("primaryKey"))
            return self._task(uid, "indexCreation")
        if parts[:1] != ["indexes"] or len(parts) < 3:
            return self._error(404, "not_found", f"no route {method} {path}")
        uid, rest = parts[1], parts[2:]
        index = self.indexes.setdefault(uid, FakeIndex(uid, "id"))
        if rest == ["settings"] and method == "PATCH":
            index.settings.update(body)
            return self._task(uid, "settingsUpdate")
        if rest == ["documents"] and method in ("POST", "PUT"):
            for doc in body:
                key = str(doc[index.primary_key])
                if method == "PUT" and key in index.documents:
                    index.documents[key] = {**index.documents[key], **doc}
                else:
                    index.documents[key] = dict(doc)
            return self._task(uid, "documentAdditionOrUpdate")
        if rest == ["documents"] and method == "DELETE":
            index.documents.clear()
            return self._task(uid, "documentDeletion")
        if rest == ["documents", "delete"] and method == "POST":
            node = _Filter(body["filter"]).parse()
            try:
                index.check_filterable(node)
            except KeyError as exc:
                return self._task(
                    uid,
                    "documentDeletion",
                    {"code": "invalid_document_filter", "message": str(exc)},
                )
            for key in [k for k, d in index.documents.items() if _matches_filter(node, d)]:
                del index.documents[key]
            return self._task(uid, "documentDeletion")
        if rest == ["documents", "fetch"] and method == "POST":
            node = _Filter(body["filter"]).parse() if body.get("filter") else None
            found = [d for d in index.documents.values() if _matches_filter(node, d)]
            fields = body.get("fields")
            limit, offset = int(body.get("limit", 20)), int(body.get("offset", 0))
            results = [
                {k: v for k, v in d.items() if not fields or k in fields}
                for d in found[offset : offset + limit]
            ]
            return 200, {"results": results, "offset": offset, "limit": limit, "total": len(found)}
        if rest == ["search"] and method == "POST":
            try:
                return 200, index.search(body)
            except KeyError as exc:
                return self._error(400, "invalid_search_filter", f"{exc} is not filterable")
        return self._error(404, "not_found", f"no route {method} {path}")
