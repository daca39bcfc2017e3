"""The OpenAPI document describes every endpoint, its parameters and its request body."""

from __future__ import annotations

import inspect
import re

from server.app.asgi import API_ENDPOINTS
from server.app.routing import API_PREFIX
from server.core.models import CardKind
from tests.conftest import MakeClient


async def test_openapi_lists_every_endpoint_with_its_body(make_client: MakeClient) -> None:
    anonymous = await make_client()
    response = await anonymous.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    for ep in API_ENDPOINTS:
        path = API_PREFIX + re.sub(r"{(\w+)(?::\w+)?}", r"{\1}", ep.path)
        operation = document["paths"][path][ep.method.lower()]
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)", ep.path))
        if ep.body is not None:
            ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            name = ref.rsplit("/", 1)[1]
            assert name in document["components"]["schemas"]
        assert ("security" in operation) == ep.auth


async def test_card_schema_forbids_unknown_fields(make_client: MakeClient) -> None:
    document = (await (await make_client()).get("/api/openapi.json")).json()
    card = document["components"]["schemas"]["CardIn"]
    assert card["additionalProperties"] is False
    assert "title" in card["required"]


# How handlers read a query parameter: call.query_int("x", …), query_params.get("x"), a local
# alias of the query (query.get / params.get), or search's _text(call, "x") / _id(call, "x").
_READS = re.compile(
    r"""(?:query_int|query_params\.get|\bquery\.get|\bparams\.get)\(\s*"(\w+)"|"""
    r"""\b_(?:text|id)\(\s*call,\s*"(\w+)\""""
)


async def test_every_query_parameter_a_handler_reads_is_declared_with_its_type(
    make_client: MakeClient,
) -> None:
    document = (await (await make_client()).get("/api/openapi.json")).json()
    for ep in API_ENDPOINTS:
        source = inspect.getsource(ep.handler)
        read = {a or b for a, b in _READS.findall(source)}
        path = API_PREFIX + re.sub(r"{(\w+)(?::\w+)?}", r"{\1}", ep.path)
        operation = document["paths"][path][ep.method.lower()]
        query = {
            p["name"]: p["schema"] for p in operation.get("parameters", []) if p["in"] == "query"
        }
        assert set(query) == read, (ep.path, read)
        for name, schema in query.items():
            reads_int = f'query_int("{name}"' in source or f'_id(call, "{name}"' in source
            assert (schema["type"] == "integer") == reads_int, (ep.path, name, schema)
    search = document["paths"][API_PREFIX + "/search"]["get"]["parameters"]
    kinds = next(p["schema"]["enum"] for p in search if p["name"] == "kind")
    assert kinds == [kind.value for kind in CardKind]
    report = document["paths"][API_PREFIX + "/collectives/{collective_id}/report"]["get"]
    schemas = {p["name"]: p["schema"] for p in report["parameters"] if p["in"] == "query"}
    assert schemas["from"] == {"type": "string", "format": "date"}
    assert schemas["format"]["enum"] == ["html", "csv", "json"]
