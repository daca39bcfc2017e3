"""Small SVG charts drawn on the server for the printable report: no script, no web font,
each chart an accessible image (``role="img"`` with a title and a description)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WEEKDAYS = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
INK = "#1f2937"
ACCENT = "#b45309"
MUTED = "#9ca3af"


def _open(width: int, height: int, title: str, desc: str, css: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    )


def sparkline(
    values: Sequence[float | None], title: str, desc: str, width: int = 160, height: int = 36
) -> str:
    """A line through the known values (gaps where a month has none), its last point marked."""
    pad = 4
    known = [v for v in values if v is not None]
    svg = _open(width, height, title, desc, "sparkline")
    if not known:
        middle = height / 2
        return svg + (
            f'<line x1="{pad}" y1="{middle}" x2="{width - pad}" y2="{middle}" '
            f'stroke="{MUTED}" stroke-dasharray="3 3"/></svg>'
        )
    low, high = min(known), max(known)
    span = high - low or 1.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)

    def point(i: int, v: float) -> tuple[float, float]:
        y = height - pad - (v - low) / span * (height - 2 * pad) if high != low else height / 2
        return round(pad + i * step, 1), round(y, 1)

    segments: list[list[tuple[float, float]]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            segments.append([])
        else:
            segments[-1].append(point(i, v))
    for segment in segments:
        if len(segment) > 1:
            coords = " ".join(f"{x},{y}" for x, y in segment)
            svg += f'<polyline points="{coords}" fill="none" stroke="{INK}" stroke-width="1.5"/>'
    last = max(i for i, v in enumerate(values) if v is not None)
    x, y = point(last, values[last] or 0.0)
    return svg + f'<circle cx="{x}" cy="{y}" r="2.5" fill="{ACCENT}"/></svg>'


def heat_map(grid: Sequence[Sequence[int]], title: str) -> str:
    """Weekday (rows, Monday first) × hour (columns) counts as shaded cells."""
    cell, left, top = 16, 36, 16
    width, height = left + 24 * cell + 4, top + 7 * cell + 4
    peak = max((max(row) for row in grid), default=0)
    total = sum(sum(row) for row in grid)
    desc = f"{total} actions réparties par jour de la semaine et par heure"
    if peak:
        day, hour = max(
            ((d, h) for d in range(7) for h in range(24)), key=lambda dh: grid[dh[0]][dh[1]]
        )
        desc += f" ; le plus actif : {WEEKDAYS[day]} {hour} h ({peak})"
    svg = _open(width, height, title, desc, "heatmap")
    for hour in range(0, 24, 3):
        svg += (
            f'<text x="{left + hour * cell + 2}" y="11" font-size="9" fill="{INK}">{hour}h</text>'
        )
    for day, row in enumerate(grid):
        y = top + day * cell
        svg += f'<text x="0" y="{y + 12}" font-size="10" fill="{INK}">{WEEKDAYS[day]}</text>'
        for hour, count in enumerate(row):
            opacity = 0.06 if not count else round(0.2 + 0.8 * count / peak, 2)
            svg += (
                f'<rect x="{left + hour * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{ACCENT}" fill-opacity="{opacity}"><title>{WEEKDAYS[day]} {hour} h : '
                f"{count}</title></rect>"
            )
    return svg + "</svg>"


def pyramid(
    shares: Sequence[float] | None, reference: Sequence[float], labels: Sequence[str], title: str
) -> str:
    """Horizontal bars per level: the collective's share against the 90-9-1 reference."""
    row, left, bar = 34, 200, 260
    width, height = left + bar + 60, 20 + row * len(labels)
    actual = list(shares) if shares is not None else [0.0] * len(labels)
    desc = "; ".join(
        f"{label} : {round(a * 100)} % (référence {round(r * 100)} %)"
        for label, a, r in zip(labels, actual, reference, strict=True)
    )
    svg = _open(width, height, title, desc, "pyramid")
    svg += (
        f'<rect x="{left}" y="2" width="10" height="8" fill="{ACCENT}"/>'
        f'<text x="{left + 14}" y="10" font-size="9" fill="{INK}">collectif</text>'
        f'<rect x="{left + 80}" y="2" width="10" height="8" fill="{MUTED}"/>'
        f'<text x="{left + 94}" y="10" font-size="9" fill="{INK}">référence 90-9-1</text>'
    )
    for i, (label, a, r) in enumerate(zip(labels, actual, reference, strict=True)):
        y = 16 + i * row
        svg += f'<text x="0" y="{y + 13}" font-size="11" fill="{INK}">{escape(label)}</text>'
        svg += f'<rect x="{left}" y="{y}" width="{round(a * bar, 1)}" height="12" fill="{ACCENT}"/>'
        svg += (
            f'<text x="{left + round(a * bar, 1) + 4}" y="{y + 10}" font-size="9" '
            f'fill="{INK}">{round(a * 100)} %</text>'
        )
        svg += (
            f'<rect x="{left}" y="{y + 14}" width="{round(r * bar, 1)}" height="6" fill="{MUTED}"/>'
        )
    return svg + "</svg>"
