"""The findings' evolution as bar charts: geometry computed here, drawn as inline SVG by
``learning/partials/findings_evolution.html`` (no JavaScript, no library)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import ReportItem

WIDTH = 560
HEIGHT = 260
LEFT = 40  # room for the axis labels
TOP = 24
BOTTOM = 210  # the baseline; below it the cycle labels
BAR = 28
GAP = 6  # between the bars of a cycle
# Dark enough against white for graphics (WCAG 1.4.11, ≥ 3:1) and told apart by the legend's
# text and each bar's value, not by colour alone.
COLOURS = {"new": "#1d4ed8", "persisting": "#b45309", "resolved": "#15803d"}


def _status_labels() -> dict[str, str]:
    return {"new": _("new"), "persisting": _("persisting"), "resolved": _("resolved")}


def _description(section_label: str, cycles: list[int], counts: dict) -> str:
    labels = _status_labels()
    parts = []
    for n in cycles:
        figures = ", ".join(f"{counts[n][s]} {labels[s]}" for s in labels)
        parts.append(_("cycle %(number)s: %(figures)s") % {"number": n, "figures": figures})
    if not parts:
        return _("%(section)s: no cycles yet.") % {"section": section_label}
    return _("%(section)s per cycle – %(figures)s.") % {
        "section": section_label,
        "figures": "; ".join(parts),
    }


def evolution_charts(evolution: dict) -> list[dict]:
    """One chart per section (obstacles, opportunities): for each cycle three bars (new,
    persisting, resolved) of all organisations together."""
    cycles = evolution["cycles"]
    statuses = evolution["statuses"]
    labels = _status_labels()
    charts = []
    group_width = len(statuses) * BAR + (len(statuses) - 1) * GAP
    slot = (WIDTH - LEFT - 10) / max(len(cycles), 1)
    for section in evolution["sections"]:
        section_label = ReportItem.Section(section).label
        counts = {n: evolution["totals"][n][section] for n in cycles}
        top_value = max([counts[n][s] for n in cycles for s in statuses] + [1])
        scale = (BOTTOM - TOP) / top_value
        groups = []
        for index, n in enumerate(cycles):
            x0 = LEFT + index * slot + (slot - group_width) / 2
            bars = []
            for position, status in enumerate(statuses):
                value = counts[n][status]
                height = round(value * scale, 1)
                x = round(x0 + position * (BAR + GAP), 1)
                bars.append(
                    {
                        "status": status,
                        "label": labels[status],
                        "value": value,
                        "x": x,
                        "y": round(BOTTOM - height, 1),
                        "width": BAR,
                        "height": height,
                        "colour": COLOURS[status],
                        "text_x": round(x + BAR / 2, 1),
                        "text_y": round(BOTTOM - height - 4, 1),
                    }
                )
            groups.append(
                {
                    "number": n,
                    "label": _("Cycle %(number)s") % {"number": n},
                    "label_x": round(x0 + group_width / 2, 1),
                    "bars": bars,
                }
            )
        charts.append(
            {
                "section": section,
                "title": _("%(section)s across the cycles") % {"section": section_label},
                "description": _description(section_label, cycles, counts),
                "width": WIDTH,
                "height": HEIGHT,
                "left": LEFT,
                "right": WIDTH - 10,
                "top": TOP,
                "baseline": BOTTOM,
                "label_y": BOTTOM + 20,
                "top_value": top_value,
                "top_label": ngettext("%(n)s finding", "%(n)s findings", top_value)
                % {"n": top_value},
                "groups": groups,
                "legend": [
                    {
                        "label": labels[s],
                        "colour": COLOURS[s],
                        "x": LEFT + i * 130,
                        "text_x": LEFT + i * 130 + 18,
                    }
                    for i, s in enumerate(statuses)
                ],
                "legend_y": HEIGHT - 16,
            }
        )
    return charts
