"""Charts as SVG built on the server: one definition, the same picture in the page and in the
PDF (WeasyPrint renders SVG, runs no JavaScript).

Every chart is an `<svg role="img">` with a `<title>` and a `<desc>` that says what it shows
in words; the page puts the same numbers in a table beside it (WCAG 1.1.1, 1.4.1: colour is
never the only carrier, the values are written on the bars). No `style` attributes: the strict
CSP forbids inline styles, SVG presentation attributes are allowed. Colours are the Bootstrap
Italia primary and a grey with contrast ≥ 3:1 against white for the graphics (WCAG 1.4.11).
"""

from collections.abc import Sequence
from decimal import Decimal
from html import escape
from itertools import count

from django.utils.safestring import SafeString, mark_safe

PRIMARY = "#0066cc"
SECONDARY = "#5c6f82"
TARGET = "#cc334d"
TEXT = "#1a1a1a"
GRID = "#c5c7c9"
FONT = 'font-family="Titillium Web, Geneva, Tahoma, sans-serif"'

_ids = count(1)

Number = int | float | Decimal


def _fmt(value: Number | None, unit: str = "") -> str:
    """Italian number format: 1.234,5 (at most one decimal)."""
    if value is None:
        return "n.d."
    number = Decimal(str(value))
    text = f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,.1f}"
    text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{text} {unit}".strip() if unit and unit != "n." else text


def _open(width: int, height: int, title: str, desc: str) -> tuple[str, str]:
    uid = f"grafico-{next(_ids)}"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{uid}-t {uid}-d">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
    )
    return head, "</svg>"


def bar_chart(
    title: str,
    labels: Sequence[str],
    values: Sequence[Number | None],
    *,
    unit: str = "",
    target: Number | None = None,
    width: int = 640,
) -> SafeString:
    """Horizontal bars, one per label, each with its value written beside it; a dashed line at
    `target` when given. Missing values (None, e.g. suppressed cells) are drawn as no bar and
    written "n.d."."""
    label_width, bar_height, gap, top = 190, 18, 8, 10
    height = top * 2 + len(labels) * (bar_height + gap) + (18 if target is not None else 0)
    known = [float(v) for v in values if v is not None]
    top_value = max(known + ([float(target)] if target is not None else []) + [1.0])
    scale = (width - label_width - 80) / top_value
    parts = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * (bar_height + gap)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 13}" text-anchor="end" font-size="12" '
            f'fill="{TEXT}" {FONT}>{escape(label[:32])}</text>'
        )
        length = 0.0 if value is None else float(value) * scale
        if length:
            parts.append(
                f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
                f'fill="{PRIMARY}"/>'
            )
        parts.append(
            f'<text x="{label_width + length + 4:.1f}" y="{y + 13}" font-size="12" '
            f'fill="{TEXT}" {FONT}>{escape(_fmt(value, unit))}</text>'
        )
    desc = "; ".join(f"{label}: {_fmt(v, unit)}" for label, v in zip(labels, values, strict=True))
    if target is not None:
        x = label_width + float(target) * scale
        bottom = height - 18
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{bottom}" stroke="{TARGET}" '
            f'stroke-width="2" stroke-dasharray="5 3"/>'
            f'<text x="{x:.1f}" y="{height - 4}" text-anchor="middle" font-size="11" '
            f'fill="{TARGET}" {FONT}>target {escape(_fmt(target, unit))}</text>'
        )
        desc += f". Target: {_fmt(target, unit)}"
    head, tail = _open(width, height, title, desc)
    return mark_safe(head + "".join(parts) + tail)  # noqa: S308 - every text is escaped


def line_chart(
    title: str,
    years: Sequence[int],
    series: dict[str, Sequence[Number | None]],
    *,
    unit: str = "",
    target: Number | None = None,
    width: int = 640,
    height: int = 240,
) -> SafeString:
    """Trends by year: one line per series (the first in the primary colour, the others grey
    and dashed, so they differ without colour), points labelled with their values."""
    left, right, top, bottom = 50, 20, 20, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    known = [float(v) for s in series.values() for v in s if v is not None]
    top_value = max(known + ([float(target)] if target is not None else []) + [1.0]) * 1.1
    step = plot_w / max(len(years) - 1, 1)

    def point(i: int, value: Number) -> tuple[float, float]:
        return left + i * step, top + plot_h - float(value) / top_value * plot_h

    parts = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
        f'stroke="{GRID}"/>'
    ]
    for i, year in enumerate(years):
        x = left + i * step
        parts.append(
            f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle" font-size="12" '
            f'fill="{TEXT}" {FONT}>{year}</text>'
        )
    descs = []
    for n, (name, values) in enumerate(series.items()):
        colour, dash = (PRIMARY, "") if n == 0 else (SECONDARY, ' stroke-dasharray="6 4"')
        points = [point(i, v) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
            )
        for i, v in enumerate(values):
            if v is None:
                continue
            x, y = point(i, v)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>'
                f'<text x="{x:.1f}" y="{y - 7:.1f}" text-anchor="middle" font-size="11" '
                f'fill="{TEXT}" {FONT}>{escape(_fmt(v, unit))}</text>'
            )
        descs.append(
            f"{name}: "
            + ", ".join(f"{y} {_fmt(v, unit)}" for y, v in zip(years, values, strict=True))
        )
    if target is not None:
        _, y = point(0, target)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{TARGET}" stroke-width="2" stroke-dasharray="5 3"/>'
            # Right-aligned under the line: the points' labels are above their points.
            f'<text x="{width - right}" y="{y + 14:.1f}" text-anchor="end" font-size="11" '
            f'fill="{TARGET}" {FONT}>target {escape(_fmt(target, unit))}</text>'
        )
        descs.append(f"target {_fmt(target, unit)}")
    head, tail = _open(width, height, title, ". ".join(descs))
    return mark_safe(head + "".join(parts) + tail)  # noqa: S308 - every text is escaped


def progress_bar(
    title: str,
    value: Number | None,
    target: Number,
    *,
    unit: str = "",
    width: int = 320,
    progress: Number | None = None,
) -> SafeString:
    """How far a value is towards its target, the figures written in the bar's caption.

    `progress` (0-100), when given, is the share of the way already made from the baseline to
    the target (`indicators.Reading.progress`): it is what the bar shows, so that a "less is
    better" indicator or one starting from a baseline fills as it moves the right way. Without
    it the bar is value / target."""
    height = 34
    if progress is not None:
        share = min(max(float(progress) / 100, 0.0), 1.0)
    else:
        share = 0.0 if value is None or not target else min(float(value) / float(target), 1.0)
    desc = f"{_fmt(value, unit)} su un target di {_fmt(target, unit)}"
    # The caption under the bar is short enough for a narrow bar (a table's cell).
    caption = f"{_fmt(value)} su {_fmt(target, unit)}"
    if progress is not None:
        desc += f" ({_fmt(round(share * 100))}% del percorso)"
        caption += f" · {_fmt(round(share * 100))}%"
    head, tail = _open(width, height, title, desc)
    body = (
        f'<rect x="0.5" y="0.5" width="{width - 1}" height="12" fill="#ffffff" '
        f'stroke="{SECONDARY}"/>'
        f'<rect x="0.5" y="0.5" width="{share * (width - 1):.1f}" height="12" fill="{PRIMARY}"/>'
        f'<text x="0" y="28" font-size="12" fill="{TEXT}" {FONT}>{escape(caption)}</text>'
    )
    return mark_safe(head + body + tail)  # noqa: S308 - every text is escaped
