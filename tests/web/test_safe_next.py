"""Where login and sign-up send you afterwards: only a page of this site, however the
target is disguised (tabs, newlines, backslashes, percent-encoding)."""

from __future__ import annotations

import pytest

from tests.conftest import MakeClient
from tests.support.pages import page_data
from tests.support.redirects import OFF_SITE
from web.pages import safe_next

ON_SITE = {
    "/": "/",
    "/c/1": "/c/1",
    "/b/2?card=3#comments": "/b/2?card=3#comments",
    "/search?q=%C3%A9t%C3%A9": "/search?q=%C3%A9t%C3%A9",
    "/c/1\n": "/c/1",
}


@pytest.mark.parametrize("target", OFF_SITE)
def test_targets_that_could_leave_the_site_become_home(target: str | None) -> None:
    assert safe_next(target) == "/"


@pytest.mark.parametrize(("target", "expected"), ON_SITE.items())
def test_paths_of_this_site_are_kept(target: str, expected: str) -> None:
    assert safe_next(target) == expected


@pytest.mark.parametrize("page", ["/login", "/signup"])
async def test_login_and_signup_pages_hand_only_safe_targets_to_their_script(
    make_client: MakeClient, page: str
) -> None:
    anonymous = await make_client()
    for target in OFF_SITE[:-1]:
        response = await anonymous.get(page, params={"next": target})
        assert response.status_code == 200
        assert page_data(response.text) == {"next": "/"}, target


async def test_a_logged_in_visitor_is_redirected_on_site_only(make_client: MakeClient) -> None:
    anna = await make_client("anna")
    response = await anna.http.get("/login?next=/%09/evil.example/")
    assert response.status_code == 303
    assert response.headers["location"] == "/"
