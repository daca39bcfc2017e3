"""The OpenAPI 3.1 document, built from the endpoints the app serves and their pydantic body
models."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from server.app.routing import API_PREFIX, Endpoint
from server.domain.accounts.sessions import SESSION_COOKIE

_PARAM = re.compile(r"{(\w+)(?::(\w+))?}")
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}


def openapi_document(endpoints: Iterable[Endpoint]) -> dict[str, Any]:
    components: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}
    for ep in endpoints:
        path = API_PREFIX + _PARAM.sub(r"{\1}", ep.path)
        paths.setdefault(path, {})[ep.method.lower()] = _operation(ep, components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Essaim API",
            "version": "1",
            "description": "Collectives, boards, cards and the event log. Errors are "
            '`{"error": {"code", "message", "fields"}}`. Unsafe requests authenticated by '
            "the session cookie must send `X-CSRF-Token`.",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE}
            },
        },
    }


def _query_schema(kind: str) -> dict[str, Any]:
    """A query parameter declared ``name`` (an integer), ``name:str``, ``name:date`` or
    ``name:a|b|c`` (one of these words)."""
    if not kind or kind == "int":
        return {"type": "integer"}
    if kind == "str":
        return {"type": "string"}
    if kind == "date":
        return {"type": "string", "format": "date"}
    return {"type": "string", "enum": kind.split("|")}


def _operation(ep: Endpoint, components: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": ep.summary,
        "tags": [ep.tag],
        "operationId": ep.handler.__name__,
        "responses": {
            str(ep.status): {"description": "success"},
            "4XX": {
                "description": "client error",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        },
    }
    params = []
    for name, convertor in _PARAM.findall(ep.path):
        schema = {"type": "integer"} if convertor == "int" else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    params += [
        {"name": name, "in": "query", "required": False, "schema": _query_schema(kind)}
        for name, kind in (q.partition(":")[::2] for q in ep.query)
    ]
    if params:
        op["parameters"] = params
    if ep.auth:
        op["security"] = [{"session": []}]
    if ep.body is not None:
        body_schema: dict[str, Any] = ep.body.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        defs: dict[str, Any] = body_schema.pop("$defs", {})
        components.update(defs)
        components[ep.body.__name__] = body_schema
        ref = {"$ref": f"#/components/schemas/{ep.body.__name__}"}
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref}}}
    if ep.multipart:
        op["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                }
            },
        }
    return op
