"""Server-drawn SVG bar charts (no JavaScript library): geometry only. The template draws
them; the data table beside each chart carries the figures for screen readers, so the SVG is
one image with a title."""

from dataclasses import dataclass

WIDTH = 320  # viewBox units; the chart scales with its box and keeps its proportions
LABEL_WIDTH = 120
BAR_SPACE = 140  # the longest bar; the figures follow it
ROW_HEIGHT = 20
BAR_HEIGHT = 13
MAX_LABEL = 22  # characters of a label in the chart (the table has the whole text)


@dataclass(frozen=True)
class Bar:
    label: str
    figures: str
    y: int
    text_y: int
    width: float
    figures_x: float


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    width: int = WIDTH
    bar_x: int = LABEL_WIDTH


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def bar_chart(options: list[dict]) -> Chart:
    """Horizontal bars, one per option (``label``, ``count``, ``share``); the longest bar is
    the largest count."""
    longest = max((o["count"] for o in options), default=0) or 1
    bars = []
    for index, option in enumerate(options):
        y = index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) // 2
        width = round(BAR_SPACE * option["count"] / longest, 2)
        bars.append(
            Bar(
                label=_short(str(option["label"])),
                figures=f"{option['count']} ({option['share']:g} %)",
                y=y,
                text_y=y + BAR_HEIGHT - 3,
                width=width,
                figures_x=LABEL_WIDTH + width + 4,
            )
        )
    return Chart(bars=bars, height=max(len(bars), 1) * ROW_HEIGHT)
