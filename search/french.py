"""French text analysis shared by every backend: lowercase, fold accents, split elisions,
drop stop words, Snowball French stemming.

Accents are folded *before* stemming so that « économie » and « economie » reach the stemmer
as the same string: accent-insensitivity is then exact, not a property of the stemmer.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]

# Elided particles (l', d', qu', j', n', s', c', m', t') fall out as separate one- or two-letter
# tokens once apostrophes split words; they are stop words below.
APOSTROPHES = "'’ʼ‘`´"
_APOSTROPHE_RE = re.compile(f"[{APOSTROPHES}]")
_WORD_RE = re.compile(r"[^\W_]+")
_LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss"}

ELISIONS = frozenset({"l", "d", "qu", "j", "n", "s", "c", "m", "t", "jusqu", "lorsqu", "puisqu"})

# Snowball's French stop list (folded), plus the elided particles.
STOP_WORDS = ELISIONS | frozenset(
    """
    a ai aie aient aies ait as au aura aurai auraient aurais aurait auras aurez auriez aurions
    aurons auront aux avaient avais avait avec avez aviez avions avons ayant ayez ayons ce ceci
    cela ces cet cette dans de des du elle en es est et etaient etais etait etant ete etee etees
    etes etiez etions eu eue eues eumes eurent eus eusse eussent eusses eussiez eussions eut
    eutes eux fumes furent fus fusse fussent fusses fussiez fussions fut futes il ils je la le
    les leur lui ma mais me meme mes moi mon ne nos notre nous on ont ou par pas pour qu que qui
    sa se sera serai seraient serais serait seras serez seriez serions serons seront ses soi
    soient sois soit sommes son sont soyez soyons suis sur ta te tes toi ton tu un une vos votre
    vous y
    """.split()
)

_stemmer = snowballstemmer.stemmer("french")


# The combining accents of Latin script (U+0300–U+036F with a combining class), stripped by
# one regex substitution; the per-character loop only runs on what is left non-ASCII.
_LATIN_MARKS = re.compile(
    "[" + "".join(chr(c) for c in range(0x300, 0x370) if unicodedata.combining(chr(c))) + "]"
)


def fold(text: str) -> str:
    """Lowercase and strip accents (« Économie » → « economie »); other characters kept."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    for ligature, letters in _LIGATURES.items():
        if ligature in lowered:
            lowered = lowered.replace(ligature, letters)
    decomposed = _LATIN_MARKS.sub("", unicodedata.normalize("NFKD", lowered))
    if decomposed.isascii():
        return decomposed
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Folded words of ``text``, apostrophes and punctuation splitting them (stop words kept)."""
    return _WORD_RE.findall(_APOSTROPHE_RE.sub(" ", fold(text)))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball French stem of an already folded word."""
    return str(_stemmer.stemWord(word))


def terms(text: str) -> list[str]:
    """The indexable terms of ``text``: folded, elisions split, stop words dropped, stemmed."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS]


def analyze(text: str) -> str:
    """``terms`` joined by spaces: the stemmed shadow text stored next to the original."""
    return " ".join(terms(text))
