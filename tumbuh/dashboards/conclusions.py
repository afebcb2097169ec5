"""What a page may conclude from its counts: one rule for every sentence that draws a
conclusion from figures ("every stunted child here is in a KRS family", "on track").

A conclusion rests on counts: children measured, stunted children, families linked to one.
When one of them is empty the sentence is true of nothing and reads as reassurance, so the page
says what is missing instead. :func:`conclude` takes the conclusion and the counts it rests on,
widest first, each with the sentence to say when it is empty, and returns the first empty one's
sentence, else the conclusion. A verdict on a rate (on or off track) from a handful of children
is as empty as one from none: such a count needs at least :data:`MIN_CHILDREN`.

The KRS targeting page, the targets page, the prevalence cards and the situation analysis
(Aksi 1) use it; a new page with such a sentence should too."""

from __future__ import annotations

from typing import NamedTuple

#: The fewest children with a valid z-score a verdict on a rate rests on (as the data-quality
#: traffic light, which is grey, "too few to judge", below 20 measurements).
MIN_CHILDREN = 20


class Base(NamedTuple):
    """A count a conclusion rests on, and what the page says when it is too small."""

    count: int | None
    missing: str
    minimum: int = 1


def enough(count: int | None, minimum: int = 1) -> bool:
    """Whether ``count`` carries a conclusion (None, zero or below ``minimum`` does not)."""
    return bool(count) and count >= minimum


def conclude(conclusion: str, *bases: Base) -> str:
    """``conclusion`` when every base carries it; else the ``missing`` sentence of the first
    base (widest first) that does not."""
    for base in bases:
        if not enough(base.count, base.minimum):
            return base.missing
    return conclusion
