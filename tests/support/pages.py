"""What a server-rendered page hands its script: the JSON of ``<script id="page-data">``."""

from __future__ import annotations

import json
import re
from typing import Any

PAGE_DATA = re.compile(r'<script type="application/json" id="page-data">(.*?)</script>', re.S)


def page_data(html: str) -> dict[str, Any]:
    """The page's data, as its script reads it."""
    found = PAGE_DATA.search(html)
    assert found is not None, "no page-data script in the page"
    data: dict[str, Any] = json.loads(found.group(1))
    return data
