"""Charts drawn on the server as inline SVG: no script, no CDN, nothing to load but the page itself.

Every text that reaches the markup is escaped here; the numbers are ints. The figures are also shown
as text in the page (the charts are `role="img"` with a label), so they read without the drawing."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

BAR = "#417690"  # the admin's own header blue
AXIS = "#999"
TEXT = "#333"
FONT = 'font-family="sans-serif" font-size="11"'


def _scale(values):
    top = max(values, default=0)
    return top if top > 0 else 1


def bar_chart(points, *, label, width=640, height=220):
    """Vertical bars: `points` is [(x label, value)]; each bar carries its value above it."""
    margin_top, margin_bottom, margin_side = 18, 24, 8
    plot = height - margin_top - margin_bottom
    step = (width - 2 * margin_side) / max(len(points), 1)
    bar = max(step * 0.7, 1)
    top = _scale([value for _, value in points])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(label)}</title>",
        f'<line x1="{margin_side}" y1="{height - margin_bottom}" x2="{width - margin_side}" '
        f'y2="{height - margin_bottom}" stroke="{AXIS}"/>',
    ]
    for index, (name, value) in enumerate(points):
        x = margin_side + index * step + (step - bar) / 2
        h = plot * value / top
        y = height - margin_bottom - h
        middle = x + bar / 2
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{BAR}">'
            f"<title>{escape(name)}: {int(value)}</title></rect>"
        )
        parts.append(
            f'<text x="{middle:.1f}" y="{y - 4:.1f}" text-anchor="middle" fill="{TEXT}" {FONT}>{int(value)}</text>'
        )
        parts.append(
            f'<text x="{middle:.1f}" y="{height - 8}" text-anchor="middle" fill="{TEXT}" {FONT}>'
            f"{escape(name)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


def hbar_chart(points, *, label, width=640, row=22):
    """Horizontal bars, one row per point (a ranking): the name on the left, the value after the bar."""
    name_width, margin = 120, 8
    height = max(len(points), 1) * row + 2 * margin
    span = width - name_width - 3 * margin - 40
    top = _scale([value for _, value in points])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(label)}</title>",
    ]
    for index, (name, value) in enumerate(points):
        y = margin + index * row
        w = span * value / top
        x = name_width + margin
        parts.append(
            f'<text x="{name_width}" y="{y + row * 0.65:.1f}" text-anchor="end" fill="{TEXT}" {FONT}>'
            f"{escape(name)}</text>"
        )
        parts.append(
            f'<rect class="bar" x="{x}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="{BAR}">'
            f"<title>{escape(name)}: {int(value)}</title></rect>"
        )
        parts.append(
            f'<text x="{x + w + 4:.1f}" y="{y + row * 0.65:.1f}" fill="{TEXT}" {FONT}>{int(value)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)
