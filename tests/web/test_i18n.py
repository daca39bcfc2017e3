"""The catalogs: every message of the templates and scripts is translated into French, the
English catalog has the same messages, and the language is chosen as documented."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from web.i18n import (
    LANGUAGES,
    WEB_DIR,
    catalog_path,
    pick_language,
    script_catalog,
    script_messages,
    translations,
)

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "t": None, "tn": (1, 2), "N_": None}
# Words that are the same in both languages.
SAME_IN_FRENCH = {
    "+1", "Actions", "Animation", "Date", "Description", "Document", "Documents", "Invitation",
    "Message", "Page {n}", "Phase", "Phases", "Question", "Questions", "Sections", "spam",
    "Contributions", "{column}, position {n}", "Notifications", "Contacts",
    # Live workshops
    "+1 min", "Focus", "Pause", "Participants", "participant", "vote", "{n} minute",
    "{n} participant", "{n} vote",
    # Diagnostics and action plans
    "Action", "Diagnostic", "Diagnostics", "JSON", "Notes", "PDF", "{n} action", "{n} question",
    # Notifications
    "Mention", "Vote",
    # Card history, practice sheets
    "Version {n}", "contacts",
}  # fmt: skip


def extracted() -> set[str]:
    found = extract_from_dir(
        str(WEB_DIR),
        method_map=[
            ("templates/**.html", "jinja2.ext:babel_extract"),
            ("static/js/**.js", "javascript"),
        ],
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
        keywords=KEYWORDS,
    )
    ids: set[str] = set()
    for _file, _line, message, _comments, _context in found:
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def catalog_ids(language: str) -> dict[str, object]:
    with catalog_path(language).open("rb") as po:
        return {
            (m.id if isinstance(m.id, str) else m.id[0]): m.string
            for m in read_po(po, locale=language)
            if m.id
        }


def test_every_message_of_the_pages_and_scripts_is_in_both_catalogs() -> None:
    wanted = extracted() | {singular for singular, _ in script_messages()}
    for language in LANGUAGES:
        missing = wanted - catalog_ids(language).keys()
        assert not missing, f"{language}: run pybabel extract/update (web/babel.cfg): {missing}"


def test_every_message_has_a_french_translation() -> None:
    untranslated = [
        msgid
        for msgid, string in catalog_ids("fr").items()
        if not (all(string) if isinstance(string, tuple) else string)
    ]
    assert untranslated == []
    french = translations("fr")
    changed = [m for m in extracted() if french.gettext(m) == m and m not in SAME_IN_FRENCH]
    assert changed == [], "identical to the English id: translate it or list it in SAME_IN_FRENCH"


def strings(language: str) -> list[str]:
    """Every translated text of ``language``: plural forms apart, the id where it is empty."""
    out: list[str] = []
    for msgid, string in catalog_ids(language).items():
        forms = string if isinstance(string, tuple) else (string,)
        out.extend(form or msgid for form in forms if isinstance(form or msgid, str))
    return out


def test_french_punctuation_does_not_wrap_and_apostrophes_are_curly() -> None:
    # An ordinary space before « : ; ? ! » (or after « «) lets the mark start the next line.
    loose = [s for s in strings("fr") if re.search(r" [:;?!»]|« ", s)]
    assert loose == [], "use a no-break space (U+00A0 or U+202F)"
    straight = [s for s in strings("fr") if "'" in s]
    assert straight == [], "French apostrophes are curly (’)"


def test_english_text_uses_english_quotation_marks() -> None:
    assert [s for s in strings("en") if "«" in s or "»" in s] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogs_pass_msgfmt(language: str) -> None:
    """GNU msgfmt is stricter than Babel: a msgid without msgstr, a broken format string."""
    if shutil.which("msgfmt") is None:
        pytest.skip("GNU gettext's msgfmt is not installed")
    checked = subprocess.run(
        ["msgfmt", "--check-format", "-o", "/dev/null", str(catalog_path(language))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


def test_scripts_receive_their_translations_with_plural_forms() -> None:
    french = script_catalog("fr")
    assert french["Add a card"] == "Ajouter une fiche"
    assert french["{n} comment"] == ["{n} commentaire", "{n} commentaires"]
    assert script_catalog("en")["Add a card"] == "Add a card"


@pytest.mark.parametrize(
    ("preferred", "header", "expected"),
    [
        ("en", "fr-FR,fr;q=0.9", "en"),  # the member's own setting first
        (None, "en-GB,en;q=0.9,fr;q=0.8", "en"),  # then the browser's
        (None, "de-DE,de;q=0.9", "fr"),  # French when nothing matches
        (None, "de;q=1, en;q=0.5, fr;q=0.7", "fr"),  # by quality
        (None, None, "fr"),
        ("xx", "garbage;q=abc", "fr"),
    ],
)
def test_language_choice(preferred: str | None, header: str | None, expected: str) -> None:
    assert pick_language(preferred, header) == expected
