"""The radar chart of a diagnostic: maturity per theme (0–100 %), and the collective's median
on the same axes when five companies or more were diagnosed. Plain SVG, self-contained: a
title and a description that say the same figures in words (the page shows them as a table
too), patterns besides colours (the median is dashed), and no script."""

from __future__ import annotations

import math
from html import escape
from typing import Any

WIDTH, HEIGHT = 760, 600  # wide enough for two-line labels left and right of the chart
CENTRE_X, CENTRE_Y = WIDTH / 2, 285
RADIUS = 170
LABEL_CHARS = 18  # a label wraps at a space past this many characters
RINGS = (25, 50, 75, 100)
COMPANY = "#1f5fbf"  # 6.1:1 on white
MEDIAN = "#9a4a00"  # 6.6:1 on white


def _point(index: int, count: int, value: float, radius: float = RADIUS) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    r = radius * max(0.0, min(value, 100.0)) / 100
    return CENTRE_X + r * math.cos(angle), CENTRE_Y + r * math.sin(angle)


def _polygon(values: list[float], count: int) -> str:
    points = (_point(i, count, v) for i, v in enumerate(values))
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _lines(title: str) -> list[str]:
    """``title`` in lines of about ``LABEL_CHARS`` characters, cut at spaces."""
    lines: list[str] = []
    for word in title.split():
        if lines and len(lines[-1]) + 1 + len(word) <= LABEL_CHARS:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _percent(value: float | None) -> str:
    return "non renseigné" if value is None else f"{value:.0f} %"


def describe(axes: list[dict[str, Any]], with_median: bool) -> str:
    parts = []
    for axis in axes:
        text = f"{axis['title']} : {_percent(axis['score'])}"
        if with_median:
            text += f" (médiane du collectif {_percent(axis['median'])})"
        parts.append(text)
    return " ; ".join(parts) + "."


def radar_svg(title: str, axes: list[dict[str, Any]]) -> str:
    """``axes``: ``{"title", "score", "median"}`` per theme (``median`` None: not shown)."""
    count = max(len(axes), 3)
    with_median = any(a.get("median") is not None for a in axes)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}"'
        f' height="{HEIGHT}" role="img" aria-labelledby="radar-title radar-desc"'
        ' font-family="system-ui, sans-serif" font-size="13">',
        f'<title id="radar-title">{escape(title)}</title>',
        f'<desc id="radar-desc">{escape(describe(axes, with_median))}</desc>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
    ]
    for ring in RINGS:
        points = _polygon([ring] * count, count)
        out.append(f'<polygon points="{points}" fill="none" stroke="#c9ced6" stroke-width="1"/>')
        x, y = _point(0, count, ring)
        out.append(
            f'<text x="{x + 4:.1f}" y="{y + 4:.1f}" fill="#4a5260" font-size="11">{ring} %</text>'
        )
    for i, axis in enumerate(axes):
        x, y = _point(i, count, 100)
        out.append(
            f'<line x1="{CENTRE_X}" y1="{CENTRE_Y}" x2="{x:.1f}" y2="{y:.1f}" stroke="#c9ced6"/>'
        )
        lx, ly = _point(i, count, 100, RADIUS + 16)
        anchor = "middle" if abs(lx - CENTRE_X) < 8 else ("start" if lx > CENTRE_X else "end")
        lines = [*_lines(axis["title"]), _percent(axis["score"])]
        # Above the chart the label grows upwards, below it downwards, beside it both ways.
        if ly < CENTRE_Y - 8:
            first = ly - 15 * (len(lines) - 1)
        elif ly > CENTRE_Y + 8:
            first = ly + 12
        else:
            first = ly + 4 - 7.5 * (len(lines) - 1)
        bold = ' font-weight="600"'  # the figure, on the last line
        spans = "".join(
            f'<tspan x="{lx:.1f}" y="{first + 15 * n:.1f}"{bold if n == len(lines) - 1 else ""}>'
            f"{escape(line)}</tspan>"
            for n, line in enumerate(lines)
        )
        out.append(f'<text text-anchor="{anchor}" fill="#1b1f24">{spans}</text>')
    if with_median:
        medians = [float(a["median"] or 0) for a in axes] + [0] * (count - len(axes))
        out.append(
            f'<polygon points="{_polygon(medians, count)}" fill="none" stroke="{MEDIAN}"'
            ' stroke-width="2.5" stroke-dasharray="7 5"/>'
        )
    scores = [float(a["score"] or 0) for a in axes] + [0] * (count - len(axes))
    out.append(
        f'<polygon points="{_polygon(scores, count)}" fill="{COMPANY}" fill-opacity="0.22"'
        f' stroke="{COMPANY}" stroke-width="2.5"/>'
    )
    for i, value in enumerate(scores[: len(axes)]):
        x, y = _point(i, count, value)
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{COMPANY}"/>')
    legend_y = HEIGHT - 22
    out.append(
        f'<rect x="24" y="{legend_y - 10}" width="14" height="14" fill="{COMPANY}"'
        ' fill-opacity="0.22" stroke="' + COMPANY + '" stroke-width="2"/>'
    )
    out.append(f'<text x="44" y="{legend_y + 2}" fill="#1b1f24">L\'entreprise</text>')
    if with_median:
        out.append(
            f'<line x1="170" y1="{legend_y - 3}" x2="200" y2="{legend_y - 3}" stroke="{MEDIAN}"'
            ' stroke-width="2.5" stroke-dasharray="7 5"/>'
        )
        out.append(f'<text x="206" y="{legend_y + 2}" fill="#1b1f24">Médiane du collectif</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
