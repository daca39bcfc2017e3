"""A person's own data: export it and delete the account (GDPR articles 20 and 17)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from starlette.responses import FileResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send

from server.app.api.accounts import client_address
from server.app.routing import Call, Endpoints
from server.domain.accounts import erasure
from server.domain.accounts import export as data_export
from server.domain.accounts.sessions import SESSION_COOKIE
from server.domain.schemas import AccountDeletionIn

ROUTES = Endpoints()


class TemporaryFileResponse(FileResponse):
    """A file response that removes its file once the exchange ends, however it ends: a
    background task would not run when the client goes away mid-download."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await asyncio.to_thread(Path(self.path).unlink, missing_ok=True)


@ROUTES.endpoint(
    "GET",
    "/me/export",
    "Download one's own data: a ZIP of JSON files and attached files (GDPR article 20)",
    tag="auth",
)
async def export_my_data(call: Call) -> Response:
    export = await data_export.export_data(call.essaim, call.user)
    return TemporaryFileResponse(
        export.path,
        media_type="application/zip",
        filename=export.filename,
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


@ROUTES.endpoint(
    "DELETE",
    "/me",
    "Delete one's account (password; `erase_contributions`), contributions kept under"
    " « Ancien membre » unless erased (GDPR article 17)",
    tag="auth",
    body=AccountDeletionIn,
)
async def delete_my_account(call: Call) -> Response:
    body: AccountDeletionIn = call.body
    erased = await erasure.delete_account(
        call.essaim,
        call.user,
        body.password,
        erase_contributions=body.erase_contributions,
        address=client_address(call),
    )
    answer: dict[str, Any] = {
        "deleted": True,
        "erased_cards": erased.cards,
        "erased_comments": erased.comments,
    }
    response = JSONResponse(answer)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
