"""Board endpoints: boards, columns, cards, comments, reactions, attachments."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.responses import FileResponse, Response

from server.app.routing import Call, Endpoints
from server.core.errors import ErrorCode, Gone, InvalidInput, NotFound, UnsupportedMediaType
from server.core.models import ReactionKind
from server.domain import attachments, boards, cards, discussion, merges
from server.domain.schemas import (
    BoardIn,
    BoardPatch,
    CardIn,
    CardPatch,
    ColumnIn,
    ColumnPatch,
    CommentIn,
    CommentPatch,
    MergeIn,
    ReactionIn,
)

ROUTES = Endpoints()


@ROUTES.endpoint(
    "GET", "/collectives/{collective_id:int}/boards", "Boards of a collective", tag="boards"
)
async def list_boards(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return {"boards": await boards.list_boards(call.essaim, call.user, cid)}


@ROUTES.endpoint(
    "POST",
    "/collectives/{collective_id:int}/boards",
    "Create a board with default columns for its kind (animators)",
    tag="boards",
    body=BoardIn,
    status=201,
)
async def create_board(call: Call) -> dict[str, Any]:
    cid = call.id("collective_id")
    return await boards.create_board(call.essaim, call.user, cid, call.body)


@ROUTES.endpoint(
    "GET",
    "/boards/{board_id:int}",
    "A board: columns with their cards, and the collective's current seq",
    tag="boards",
)
async def get_board(call: Call) -> dict[str, Any]:
    return await boards.get_board(call.essaim, call.user, call.id("board_id"))


@ROUTES.endpoint(
    "PATCH",
    "/boards/{board_id:int}",
    "Rename, describe or archive a board (animators)",
    tag="boards",
    body=BoardPatch,
)
async def update_board(call: Call) -> dict[str, Any]:
    return await boards.update_board(call.essaim, call.user, call.id("board_id"), call.body)


@ROUTES.endpoint(
    "POST",
    "/boards/{board_id:int}/columns",
    "Add a column (animators)",
    tag="boards",
    body=ColumnIn,
    status=201,
)
async def create_column(call: Call) -> dict[str, Any]:
    return await boards.create_column(call.essaim, call.user, call.id("board_id"), call.body)


@ROUTES.endpoint(
    "PATCH",
    "/columns/{column_id:int}",
    "Rename or reorder a column (animators)",
    tag="boards",
    body=ColumnPatch,
)
async def update_column(call: Call) -> dict[str, Any]:
    return await boards.update_column(call.essaim, call.user, call.id("column_id"), call.body)


@ROUTES.endpoint(
    "DELETE",
    "/columns/{column_id:int}",
    "Delete an empty column (animators)",
    tag="boards",
    status=204,
)
async def delete_column(call: Call) -> None:
    await boards.delete_column(call.essaim, call.user, call.id("column_id"))


@ROUTES.endpoint(
    "POST", "/boards/{board_id:int}/cards", "Create a card", tag="cards", body=CardIn, status=201
)
async def create_card(call: Call) -> dict[str, Any]:
    return await cards.create_card(call.essaim, call.user, call.id("board_id"), call.body)


@ROUTES.endpoint(
    "GET", "/cards/{card_id:int}", "A card with comments, attachments, reactions", tag="cards"
)
async def get_card(call: Call) -> dict[str, Any]:
    card_id = call.id("card_id")
    try:
        return await cards.get_card(call.essaim, call.user, card_id)
    except NotFound:
        into = await merges.merged_into(call.essaim, call.user, card_id)
        if into is None:
            raise
        raise Gone(
            "this card was merged into another",
            code=ErrorCode.CARD_MERGED,
            extra={"merged_into_id": into},
        ) from None


@ROUTES.endpoint(
    "POST",
    "/cards/{card_id:int}/merge",
    "Merge a duplicate (`card_id` of the body) into this card: its comments, reactions, files "
    "and vote options move here, it becomes a pointer (animators; undo within 30 days)",
    tag="cards",
    body=MergeIn,
    status=201,
)
async def merge_card(call: Call) -> dict[str, Any]:
    return await merges.merge_card(call.essaim, call.user, call.id("card_id"), call.body.card_id)


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/merges",
    "The collective's merges of duplicate cards, newest first, with what moved (animators)",
    tag="cards",
)
async def list_merges(call: Call) -> dict[str, Any]:
    return {"merges": await merges.list_merges(call.essaim, call.user, call.id("collective_id"))}


@ROUTES.endpoint(
    "POST",
    "/merges/{merge_id:int}/undo",
    "Undo a merge: the duplicate comes back with all it had (animators, within 30 days)",
    tag="cards",
)
async def undo_merge(call: Call) -> dict[str, Any]:
    return await merges.undo_merge(call.essaim, call.user, call.id("merge_id"))


@ROUTES.endpoint(
    "PATCH",
    "/cards/{card_id:int}",
    "Edit, move or moderate a card; `version` must be current (else 409 with the card)",
    tag="cards",
    body=CardPatch,
)
async def update_card(call: Call) -> dict[str, Any]:
    return await cards.update_card(call.essaim, call.user, call.id("card_id"), call.body)


@ROUTES.endpoint(
    "DELETE",
    "/cards/{card_id:int}",
    "Delete a card (its author or an animator)",
    tag="cards",
    status=204,
)
async def delete_card(call: Call) -> None:
    await cards.delete_card(call.essaim, call.user, call.id("card_id"))


@ROUTES.endpoint(
    "POST",
    "/cards/{card_id:int}/comments",
    "Comment on a card",
    tag="cards",
    body=CommentIn,
    status=201,
)
async def add_comment(call: Call) -> dict[str, Any]:
    return await discussion.add_comment(call.essaim, call.user, call.id("card_id"), call.body)


@ROUTES.endpoint(
    "PATCH",
    "/comments/{comment_id:int}",
    "Edit a comment (its author or an animator) or moderate it (animators)",
    tag="cards",
    body=CommentPatch,
)
async def update_comment(call: Call) -> dict[str, Any]:
    cid = call.id("comment_id")
    return await discussion.update_comment(call.essaim, call.user, cid, call.body)


@ROUTES.endpoint(
    "DELETE",
    "/comments/{comment_id:int}",
    "Delete a comment (its author or an animator)",
    tag="cards",
    status=204,
)
async def delete_comment(call: Call) -> None:
    await discussion.delete_comment(call.essaim, call.user, call.id("comment_id"))


@ROUTES.endpoint(
    "POST",
    "/cards/{card_id:int}/reactions",
    "React to a card: useful, plus_one or tried_it (idempotent)",
    tag="cards",
    body=ReactionIn,
    status=201,
)
async def add_reaction(call: Call) -> dict[str, Any]:
    return await discussion.add_reaction(call.essaim, call.user, call.id("card_id"), call.body)


@ROUTES.endpoint(
    "DELETE", "/cards/{card_id:int}/reactions/{kind}", "Take one's reaction back", tag="cards"
)
async def remove_reaction(call: Call) -> dict[str, Any]:
    kind = call.request.path_params["kind"]
    if kind not in set(ReactionKind):
        raise InvalidInput("unknown reaction", fields={"kind": "useful, plus_one or tried_it"})
    return await discussion.remove_reaction(call.essaim, call.user, call.id("card_id"), kind)


@ROUTES.endpoint(
    "POST",
    "/cards/{card_id:int}/attachments",
    "Attach a file (multipart field `file`; type sniffed, size limited)",
    tag="cards",
    status=201,
    multipart=True,
)
async def add_attachment(call: Call) -> dict[str, Any]:
    content_type = call.request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise UnsupportedMediaType("send the file as multipart/form-data, field `file`")
    async with call.request.form(max_files=1, max_fields=5) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput("no file sent", fields={"file": "required"})
        return await attachments.add_attachment(
            call.essaim, call.user, call.id("card_id"), upload.file, upload.filename
        )


ATTACHMENT_CSP = "sandbox; default-src 'none'; frame-ancestors 'self'"


@ROUTES.endpoint("GET", "/attachments/{attachment_id:int}", "Download an attachment", tag="cards")
async def get_attachment(call: Call) -> Response:
    download = await attachments.open_attachment(call.essaim, call.user, call.id("attachment_id"))
    disposition = "inline" if download.inline else "attachment"
    return FileResponse(
        download.path,
        media_type=download.content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(download.filename)}",
            "X-Content-Type-Options": "nosniff",
            # Nothing in a file runs in the site's origin, PDFs included: a sandboxed document
            # gets an opaque origin (Chromium's PDF viewer still shows it, tests/web checks),
            # and only the site's own pages may frame it (the card page's preview).
            "Content-Security-Policy": ATTACHMENT_CSP,
            "Cache-Control": "private, max-age=3600",
        },
    )
