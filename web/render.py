"""Rendering a page: one Jinja2 environment per language, common context and security headers."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from server.domain.views import me_view
from web.i18n import LANGUAGES, WEB_DIR, locale, pick_language, script_catalog, translations

if TYPE_CHECKING:
    from server.domain.accounts.identity import Authenticated

# Scripts and styles only from this site, no inline script (page data travels as JSON in a
# non-executable <script type="application/json">), no plugins, no framing by others.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self' ws: wss:",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@lru_cache(maxsize=1)
def asset_version() -> str:
    """A digest of the static files, appended to their URLs so browsers never run stale ones."""
    digest = hashlib.sha256()
    for path in sorted((WEB_DIR / "static").rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@lru_cache(maxsize=len(LANGUAGES))
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(WEB_DIR / "templates"),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env


def render(
    request: Request,
    auth: Authenticated | None,
    template: str,
    context: dict[str, Any],
    *,
    data: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The page ``template`` in the viewer's language, with ``data`` embedded for its script."""
    preferred = auth.user.language if auth is not None else request.query_params.get("lang")
    language = pick_language(preferred, request.headers.get("accept-language"))
    html = (
        environment(language)
        .get_template(template)
        .render(
            request=request,
            lang=language,
            locale=locale(language),
            me=me_view(auth.user) if auth is not None else None,
            csrf_token=auth.csrf_token if auth is not None else "",
            page_data=data or {},
            messages=script_catalog(language),
            v=asset_version(),
            **context,
        )
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)
