"""The province assesses its districts: only a province user whose node holds the object (the
rubric's or assessment's province, the score's district) adds or changes; nobody deletes but
the system. A district reads its own final result (scoping and ``may_assess`` in the views)."""

from tumbuh.accounts import policy
from tumbuh.accounts.models import Role

from .models import Assessment, Criterion, Level, Rubric, Score


def province_in_node(user, obj) -> bool:
    """A province user whose node contains the object's wilayah (for a model class: the role
    alone). The lead switches this to ``policy.province_in_node`` once the province role's
    policy lands."""
    if user.role != Role.PROVINCE:
        return False
    return obj is None or policy.node_contains(user, policy._wilayah_code_of(obj))


def may_assess(user, assessment) -> bool:
    """Whether ``user`` sees the whole assessment (every district, the ranking, the exports):
    the province itself (or above it), not a district."""
    return policy.node_contains(user, assessment.province_id)


def RULES():
    province = {policy.ADD: province_in_node, policy.CHANGE: province_in_node, policy.DELETE: policy.nobody}
    return {
        Rubric: dict(province),
        Criterion: dict(province),
        Level: dict(province),
        Assessment: dict(province),
        Score: dict(province),
    }
