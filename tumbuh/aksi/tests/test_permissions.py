"""Every role against the configuration and progress models of the convergence actions, the
indicator catalogue and the lokus (policy.can on the class, then on objects)."""

import pytest

from tumbuh.accounts import policy
from tumbuh.aksi.models import ActionDefinition, ActionSet, ActionYear, ChecklistTick, CycleYear
from tumbuh.analisis.models import Lokus, LokusWeights
from tumbuh.indikator.models import Coverage, Indicator, IndicatorSetting

pytestmark = pytest.mark.django_db

ROLES = ["admin.lutim", "dinkes.lutim", "camat.malili", "pkm.malili", "desa.balantang", "pantau.lutim", "admin.luwu"]
ADMINS = {"admin.lutim", "admin.luwu"}


@pytest.mark.parametrize(
    "model", [ActionSet, ActionDefinition, CycleYear, Indicator, IndicatorSetting, LokusWeights, Lokus]
)
@pytest.mark.parametrize("username", ROLES)
def test_only_district_admins_configure(demo_users, username, model):
    assert policy.can(demo_users[username], policy.ADD, model) == (username in ADMINS)


@pytest.mark.parametrize("username, allowed", [(u, u in ADMINS | {"dinkes.lutim"}) for u in ROLES])
def test_coverage_and_ticks_are_added_by_admins_and_opd(demo_users, username, allowed):
    user = demo_users[username]
    assert policy.can(user, policy.ADD, Coverage) == allowed
    assert policy.can(user, policy.ADD, ChecklistTick) == allowed


@pytest.mark.parametrize(
    "username, view, change",
    [
        ("admin.lutim", True, True),
        ("dinkes.lutim", True, True),  # DINKES answers for Aksi 7
        ("camat.malili", True, False),
        ("pkm.malili", True, False),
        ("desa.balantang", True, False),
        ("pantau.lutim", True, False),
        ("admin.luwu", False, False),
    ],
)
def test_an_action_year_is_read_district_wide_and_changed_by_its_opd(demo_users, username, view, change):
    a7 = ActionYear.objects.get(cycle__kabupaten_id="73.24", cycle__year=2026, definition__number=7)
    user = demo_users[username]
    assert policy.can(user, policy.VIEW, a7) == view
    assert policy.can(user, policy.CHANGE, a7) == change
    assert (policy.visible(user, ActionYear.objects.filter(pk=a7.pk)).count() == 1) == view


def test_the_national_catalogue_and_set_are_data_not_editable_by_a_district(alice):
    assert not policy.can(alice, policy.CHANGE, Indicator.objects.get(code="asi-eksklusif", kabupaten=None))
    assert not policy.can(alice, policy.CHANGE, ActionSet.default())


@pytest.mark.parametrize(
    "username, sees",
    [
        ("admin.lutim", True),
        ("dinkes.lutim", True),
        ("camat.malili", None),
        ("desa.balantang", None),
        ("admin.luwu", False),
    ],
)
def test_lokus_decisions_are_scoped_to_the_desa(demo_users, username, sees):
    user = demo_users[username]
    decisions = Lokus.objects.filter(kabupaten_id="73.24", year=2026)
    visible = set(policy.visible(user, decisions).values_list("desa_id", flat=True))
    if sees is None:  # exactly the decisions on desa inside their node
        inside = {c for c in decisions.values_list("desa_id", flat=True) if c.startswith(user.wilayah_id)}
        assert visible == inside
    else:
        assert (visible == set(decisions.values_list("desa_id", flat=True))) == sees
