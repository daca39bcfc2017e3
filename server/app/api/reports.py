"""The report for funders: printable HTML, CSV for spreadsheets, or JSON."""

from __future__ import annotations

from starlette.responses import HTMLResponse, JSONResponse, Response

from animation import report as reports
from server.app.routing import Call, Endpoints
from server.core.errors import InvalidInput

ROUTES = Endpoints()

# The printable page is self-contained: inline styles and SVG, never a script or a fetch.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


@ROUTES.endpoint(
    "GET",
    "/collectives/{collective_id:int}/report",
    "Report for funders over `from`–`to`: format html (printable), csv or json "
    "(animators; observers get aggregates only)",
    tag="reports",
    query=("from:date", "to:date", "format:html|csv|json"),
)
async def get_report(call: Call) -> Response:
    params = call.request.query_params
    fmt = params.get("format") or "html"
    if fmt not in reports.FORMATS:
        raise InvalidInput("unknown format", fields={"format": "html, csv or json"})
    data = await reports.report_data(
        call.essaim, call.user, call.id("collective_id"), params.get("from"), params.get("to")
    )
    headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
    if fmt == "json":
        return JSONResponse(data, headers=headers)
    if fmt == "csv":
        name = reports.csv_filename(data)
        return Response(
            "\ufeff" + reports.report_csv(data),
            media_type="text/csv; charset=utf-8",
            headers={**headers, "Content-Disposition": f'attachment; filename="{name}"'},
        )
    return HTMLResponse(
        reports.report_html(data),
        headers={**headers, "Content-Security-Policy": REPORT_CSP},
    )
