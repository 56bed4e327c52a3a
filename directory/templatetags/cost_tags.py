from django import template

from clinics.templatetags.clinic_tags import pounds, session_label

register = template.Library()

# The chart's geometry, in SVG user units.
LABEL_WIDTH = 330
PLOT_LEFT, PLOT_RIGHT = 340, 780
ROW_HEIGHT = 34


@register.inclusion_tag("directory/_price_chart.html")
def price_chart(rows, title):
    """A box plot drawn by the site: for each (treatment, session type, stats) row, a line for
    the full range, a box for the middle half and a thick mark at the median, with the figures
    written beside it, so it reads without colour and without the table."""
    top = max((stats.highest for _, _, stats in rows), default=0) or 1
    scale = (PLOT_RIGHT - PLOT_LEFT) / top

    def x(pence):
        return round(PLOT_LEFT + float(pence) * scale, 1)

    bars = []
    for index, (treatment, session_type, stats) in enumerate(rows):
        y = index * ROW_HEIGHT + 10
        bars.append(
            {
                "label": f"{treatment.name}, {session_label(session_type).lower()}",
                "y": y,
                "mid": y + 10,
                "text_y": y + 14,
                "low": x(stats.lowest),
                "high": x(stats.highest),
                "box_left": x(stats.lower_quartile),
                "box_width": max(round(x(stats.upper_quartile) - x(stats.lower_quartile), 1), 1),
                "median": x(stats.median),
                "summary": f"median {pounds(stats.median)}, middle half "
                f"{pounds(stats.lower_quartile)}–{pounds(stats.upper_quartile)}, range "
                f"{pounds(stats.lowest)}–{pounds(stats.highest)}",
            }
        )
    return {
        "bars": bars,
        "title": title,
        "height": len(bars) * ROW_HEIGHT + 30,
        "label_width": LABEL_WIDTH,
        "axis_y": len(bars) * ROW_HEIGHT + 14,
        "plot_left": PLOT_LEFT,
        "plot_right": PLOT_RIGHT,
        "axis_max": pounds(top),
    }
