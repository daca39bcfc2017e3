"""``next`` targets that lead off the site, however disguised: the login page must refuse
each of them (the unit tests of ``safe_next`` and the browser tests share the list)."""

from __future__ import annotations

# As the server receives them, i.e. after the query string was percent-decoded once.
OFF_SITE: list[str | None] = [
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example/",  # /login?next=/%09/evil.example/
    "/%09/evil.example/",  # the same, encoded twice
    "\t//evil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "/%5C/evil.example",
    "https://evil.example",
    "HTTPS:evil.example",
    "javascript:alert(1)",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\n//evil.example",
    "/\\/evil.example",
    "\\\\evil.example",
    " //evil.example",
    "///evil.example",
    "/\x00/evil.example",
    "evil.example",
    "",
    None,
]
