"""The OpenAPI document describes every endpoint, its parameters and its request body."""

from __future__ import annotations

import re

from server.api.http import API_PREFIX, ENDPOINTS
from tests.conftest import MakeClient


async def test_openapi_lists_every_endpoint_with_its_body(make_client: MakeClient) -> None:
    anonymous = await make_client()
    response = await anonymous.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    for ep in ENDPOINTS:
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
