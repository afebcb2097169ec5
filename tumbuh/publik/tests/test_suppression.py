"""Small cells are hidden, and no hidden cell can be worked out by subtraction."""

from __future__ import annotations

from tumbuh.publik.suppression import COMPLEMENTARY, SMALL, Cell, suppress


def _cells(spec):
    """spec: {code: (parent, n)}; cases are a third of n."""
    return {code: Cell(code, parent, n, n // 3) for code, (parent, n) in spec.items()}


def _hidden(cells):
    return {c.code: c.suppressed for c in cells.values() if c.hidden}


def _no_sum_with_one_unknown(cells):
    groups = {}
    for c in cells.values():
        if c.parent_code in cells:
            groups.setdefault(c.parent_code, []).append(c)
    for parent, kids in groups.items():
        unknown = sum(1 for c in [cells[parent], *kids] if c.hidden)
        assert unknown != 1, f"{parent}: one hidden figure can be worked out by subtraction"


def test_nothing_hidden_when_every_area_is_large_enough():
    cells = _cells({"K": ("", 60), "A": ("K", 20), "B": ("K", 40)})
    suppress(cells.values())
    assert _hidden(cells) == {}


def test_one_small_desa_takes_the_next_smallest_with_it():
    cells = _cells({"K": ("", 81), "A": ("K", 4), "B": ("K", 12), "C": ("K", 30), "D": ("K", 35), "E": ("K", 0)})
    suppress(cells.values())
    assert _hidden(cells) == {"A": SMALL, "B": COMPLEMENTARY}
    _no_sum_with_one_unknown(cells)


def test_two_small_desa_protect_each_other():
    cells = _cells({"K": ("", 60), "A": ("K", 4), "B": ("K", 6), "C": ("K", 50)})
    suppress(cells.values())
    assert _hidden(cells) == {"A": SMALL, "B": SMALL}


def test_ties_take_the_lowest_code_and_empty_desa_do_not_protect():
    cells = _cells({"K": ("", 45), "A": ("K", 5), "B": ("K", 0), "C": ("K", 20), "D": ("K", 20)})
    suppress(cells.values())
    assert _hidden(cells) == {"A": SMALL, "C": COMPLEMENTARY}


def test_a_lone_small_desa_hides_its_kecamatan_and_that_cascades_up():
    # Kecamatan X has one desa with children: the kecamatan total would be that desa.
    cells = _cells(
        {
            "73.24": ("", 206),
            "X": ("73.24", 6),
            "X1": ("X", 6),
            "X2": ("X", 0),
            "Y": ("73.24", 100),
            "Y1": ("Y", 50),
            "Y2": ("Y", 50),
            "Z": ("73.24", 100),
            "Z1": ("Z", 60),
            "Z2": ("Z", 40),
        }
    )
    suppress(cells.values())
    hidden = _hidden(cells)
    assert hidden["X"] == SMALL and hidden["X1"] == SMALL
    # X alone hidden among the kecamatan: the smallest other kecamatan (Y, by code) goes too,
    # and then one desa of Y is no longer enough: Y's smallest desa follows.
    assert hidden["Y"] == COMPLEMENTARY
    assert hidden["Y1"] == COMPLEMENTARY
    assert "Z" not in hidden
    _no_sum_with_one_unknown(cells)


def test_a_large_kecamatan_hidden_to_protect_a_neighbour_hides_a_desa_too():
    cells = _cells(
        {
            "KAB": ("", 160),
            "S": ("KAB", 8),
            "S1": ("S", 3),
            "S2": ("S", 5),
            "T": ("KAB", 52),
            "T1": ("T", 12),
            "T2": ("T", 40),
            "U": ("KAB", 100),
            "U1": ("U", 100),
        }
    )
    suppress(cells.values())
    hidden = _hidden(cells)
    assert hidden == {"S": SMALL, "S1": SMALL, "S2": SMALL, "T": COMPLEMENTARY, "T1": COMPLEMENTARY}
    _no_sum_with_one_unknown(cells)
