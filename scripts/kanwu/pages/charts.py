"""Static SVG bar charts, drawn at build time: no JavaScript, nothing fetched."""

from __future__ import annotations

from ..source.render import esc

FONT = "Noto Sans CJK SC, Source Han Sans SC, sans-serif"


def bars(title: str, labels: list[str], series: list[tuple[str, list[float], str]], width: int = 760) -> str:
    """Grouped horizontal bars: one row per label, one bar per series."""
    row_h = 14 * len(series) + 10
    left, top = 150, 40
    height = top + row_h * len(labels) + 40
    peak = max([v for _, values, _ in series for v in values] + [1])
    scale = (width - left - 60) / peak
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'font-family="{FONT}" font-size="12" role="img" aria-label="{esc(title)}">',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">{esc(title)}</text>']
    for i, label in enumerate(labels):
        y = top + i * row_h
        out.append(f'<text x="{left - 8}" y="{y + row_h / 2 + 4}" text-anchor="end">{esc(label)}</text>')
        for j, (_, values, color) in enumerate(series):
            w = values[i] * scale
            by = y + 4 + j * 14
            out.append(f'<rect x="{left}" y="{by}" width="{w:.1f}" height="12" fill="{color}"/>')
            out.append(f'<text x="{left + w + 4:.1f}" y="{by + 10}" font-size="11">{values[i]:g}</text>')
    ly = height - 18
    for j, (name, _, color) in enumerate(series):
        x = left + j * 120
        out.append(f'<rect x="{x}" y="{ly - 10}" width="12" height="12" fill="{color}"/>'
                   f'<text x="{x + 16}" y="{ly}">{esc(name)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
