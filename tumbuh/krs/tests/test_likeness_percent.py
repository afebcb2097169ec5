"""A suggested link says how alike two names or addresses are in a whole percentage, rounded
by the one rule (``tumbuh.core.numbers``): ``round(value * 100)`` rounded a binary product
with ties to even (0.825 → 82, 0.125 → 12)."""

import pytest
from django.utils import translation

from tumbuh.krs.linking import _percent


@pytest.mark.parametrize(
    "value, text", [(0.825, "83 %"), (0.125, "13 %"), (0.5, "50 %"), (0.8249, "82 %"), (1.0, "100 %")]
)
def test_a_likeness_is_a_whole_percentage_rounded_half_up(value, text):
    for language in ("id", "en"):
        with translation.override(language):
            assert _percent(value) == text
