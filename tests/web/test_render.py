"""Rendering a page: the viewer's language, the security headers on every page, and page data
that reaches the script intact without ever closing its ``<script>`` element."""

from __future__ import annotations

from starlette.requests import Request

from tests.support.pages import page_data
from web.render import CONTENT_SECURITY_POLICY, asset_version, render


def anonymous_request(query: str = "", accept_language: str | None = None) -> Request:
    headers = [(b"host", b"testserver")]
    if accept_language is not None:
        headers.append((b"accept-language", accept_language.encode()))
    return Request(
        {
            "type": "http",
            "method": "GET",
            "scheme": "http",
            "path": "/login",
            "raw_path": b"/login",
            "query_string": query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
    )


def test_page_data_cannot_close_its_script_element() -> None:
    hostile = "</script><script>alert('à')</script>"
    response = render(anonymous_request(), None, "login.html", {"next": "/"}, data={"x": hostile})
    html = bytes(response.body).decode()
    assert hostile not in html
    assert page_data(html) == {"x": hostile}


def test_every_page_carries_the_security_headers() -> None:
    response = render(anonymous_request(), None, "login.html", {"next": "/"}, status=401)
    assert response.status_code == 401
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_an_anonymous_page_is_french_unless_asked_otherwise() -> None:
    for request, language in [
        (anonymous_request(), "fr"),
        (anonymous_request(accept_language="en-GB,en;q=0.9"), "en"),
        (anonymous_request("lang=en"), "en"),
        (anonymous_request("lang=de", accept_language="de-DE"), "fr"),
    ]:
        html = bytes(render(request, None, "login.html", {"next": "/"}).body).decode()
        assert f'<html lang="{language}"' in html


def test_static_urls_carry_the_assets_digest() -> None:
    html = bytes(render(anonymous_request(), None, "login.html", {"next": "/"}).body).decode()
    assert len(asset_version()) == 12
    assert f"?v={asset_version()}" in html
