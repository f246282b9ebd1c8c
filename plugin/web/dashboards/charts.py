"""Charts drawn by pygal as SVG documents: no script, nothing loaded from elsewhere, a title for screen readers."""

from __future__ import annotations

import re
from html import escape

import pygal
from pygal.style import Style

from plugin.domain.dashboards import Chart
from plugin.web.dashboards.labels import NOT_DRAWN, SERIES, TITLES, label

#: the site's colours, each at least 3:1 against white (WCAG 1.4.11)
STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#1d5fa8", "#b4460b", "#2f7d32", "#7b3fa0", "#8a6d00", "#a3223a"),
    font_family="system-ui, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    value_font_size=12,
)
_KINDS = {"funnel": pygal.HorizontalBar, "plan_items": pygal.HorizontalBar, "health": pygal.HorizontalBar, "signoffs": pygal.StackedBar}
_COMMENT = re.compile(r"<!--.*?-->", re.S)
#: pygal always writes its configuration as a script (for its optional tooltips): the charts have none
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)


def svg(chart: Chart) -> str:
    """The chart as a standalone SVG document with ``role="img"`` and its title as accessible name."""
    kind = _KINDS.get(chart.key, pygal.Bar)
    drawing = kind(
        style=STYLE,
        js=[],
        width=720,
        height=380,
        show_legend=len(chart.series) > 1,
        legend_at_bottom=True,
        print_values=len(chart.labels) <= 12,
        x_label_rotation=30 if len(chart.labels) > 6 else 0,
        truncate_label=40,
        no_data_text=str(TITLES[chart.key]),
        min_scale=1,
        max_scale=10,
    )
    # a horizontal chart draws its first label at the bottom: reversed, it reads top-down like the table
    order = -1 if kind is pygal.HorizontalBar else 1
    drawing.x_labels = [label(k) for k in chart.labels][::order]
    hidden = NOT_DRAWN.get(chart.key, set())
    for series in chart.series:
        if series.key not in hidden:
            drawing.add(str(SERIES.get(series.key, series.key)), list(series.values)[::order])
    text = _SCRIPT.sub("", _COMMENT.sub("", drawing.render(is_unicode=True)))
    name = escape(str(TITLES[chart.key]))
    return re.sub(r"<svg ([^>]*)>", lambda m: f'<svg {m.group(1)} role="img" aria-labelledby="title-{chart.key}"><title id="title-{chart.key}">{name}</title>', text, count=1)
