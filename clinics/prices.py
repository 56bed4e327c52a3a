"""Summaries of listed prices: median, middle half and range, in exact pence.

Money is never a float here: prices are whole pence and the interpolated figures are Decimals
rounded to the penny, so a median of £85 and £90 is £87.50, not 87.49999.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np


@dataclass(frozen=True)
class PriceStats:
    count: int  # how many prices the figures rest on
    clinics: int  # how many clinics those prices come from
    lowest: int
    lower_quartile: Decimal
    median: Decimal
    upper_quartile: Decimal
    highest: int


def quantile(sorted_pence, fraction):
    """The value `fraction` of the way through sorted prices, interpolating linearly between
    neighbours (the "inclusive" method: the 0 and 1 quantiles are the lowest and highest)."""
    position = Decimal(len(sorted_pence) - 1) * Decimal(str(fraction))
    below = int(position)
    above = min(below + 1, len(sorted_pence) - 1)
    share = position - below
    value = sorted_pence[below] + (sorted_pence[above] - sorted_pence[below]) * share
    return value.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def summarise(pence, clinics):
    """PriceStats for prices in pence and the clinics they come from (two sequences of the
    same length, lists or NumPy arrays), or None when there are none."""
    if not len(pence):
        return None
    ordered = sorted(int(p) for p in pence)
    return PriceStats(
        count=len(ordered),
        clinics=len(set(np.asarray(clinics).tolist())),
        lowest=ordered[0],
        lower_quartile=quantile(ordered, 0.25),
        median=quantile(ordered, 0.5),
        upper_quartile=quantile(ordered, 0.75),
        highest=ordered[-1],
    )
