"""French first, English second: Babel catalogs read straight from their ``.po`` files.

The catalogs under ``web/locale`` are the only source: they are compiled in memory when first
needed, so running Essaim needs no build step and no compiled ``.mo`` file in the repository.
Message ids are English; the French catalog translates every one of them (a test checks it).
The same catalogs serve the templates (Jinja2's i18n extension) and the browser scripts, which
receive the translations of the strings they use (``t("…")`` in ``web/static/js``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
WEB_DIR = Path(__file__).parent
LOCALE_DIR = WEB_DIR / "locale"
SCRIPTS_DIR = WEB_DIR / "static" / "js"

# t("…"), tn("…", "…", n) and N_("…") in the browser scripts: literals in double quotes.
_JS_CALL = re.compile(r'\b(t|tn|N_)\(\s*"((?:[^"\\]|\\.)*)"(?:\s*,\s*"((?:[^"\\]|\\.)*)")?')


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> Translations:
    """The compiled catalog of ``language`` (one of LANGUAGES)."""
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def pick_language(preferred: str | None, accept_language: str | None) -> str:
    """The member's setting, else the browser's first supported language, else French."""
    if preferred in LANGUAGES:
        return preferred
    wanted: list[tuple[float, str]] = []
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            wanted.append((quality, tag.replace("-", "_")))
    ordered = [tag for _, tag in sorted(wanted, key=lambda item: -item[0])]
    return negotiate_locale(ordered, list(LANGUAGES), sep="_") or DEFAULT_LANGUAGE


def locale(language: str) -> Locale:
    return Locale.parse(language)


def script_messages() -> list[tuple[str, str | None]]:
    """Every (message id, plural id) the browser scripts ask to translate."""
    found: dict[tuple[str, str | None], None] = {}
    for path in sorted(SCRIPTS_DIR.glob("*.js")):
        for call, singular, plural_id in _JS_CALL.findall(path.read_text(encoding="utf-8")):
            key = (_unescape(singular), _unescape(plural_id) if call == "tn" else None)
            found[key] = None
    return list(found)


def _unescape(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal)


@lru_cache(maxsize=len(LANGUAGES))
def script_catalog(language: str) -> dict[str, str | list[str]]:
    """Translations for the browser: a string per message, the two forms per plural."""
    catalog = translations(language)
    out: dict[str, str | list[str]] = {}
    for singular, plural in script_messages():
        if plural is None:
            out[singular] = catalog.gettext(singular)
        else:
            out[singular] = [
                catalog.ngettext(singular, plural, 1),
                catalog.ngettext(singular, plural, 2),
            ]
    return out
