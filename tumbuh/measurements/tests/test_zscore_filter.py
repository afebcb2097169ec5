"""``{{ z|zscore }}`` writes a z-score by the one rounding rule (``tumbuh.core.numbers``):
``round(x, 2)`` rounded the binary value with ties to even (0.125 → 0.12, −2.005 → −2.0)."""

import pytest
from django.utils import translation

from tumbuh.measurements.templatetags.measurements import zscore


@pytest.mark.parametrize("value, id_text, en_text", [
    (0.125, "0,13", "0.13"), (-2.005, "-2,01", "-2.01"), (1.005, "1,01", "1.01"), (-1.234, "-1,23", "-1.23"),
    (-0.004, "0,00", "0.00"), (None, "—", "—"),
])  # fmt: skip
def test_a_z_score_is_rounded_half_up_on_its_decimal(value, id_text, en_text):
    with translation.override("id"):
        assert zscore(value) == id_text
    with translation.override("en"):
        assert zscore(value) == en_text
