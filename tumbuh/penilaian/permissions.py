"""The province assesses its districts: only a province user whose node holds the object (the
rubric's or assessment's province, the score's district) adds or changes; nobody deletes but
the system. A district reads its own final result (scoping and ``may_assess`` in the views)."""

from tumbuh.accounts import policy

from .models import Assessment, Criterion, Level, Rubric, Score


def may_assess(user, assessment) -> bool:
    """Whether ``user`` sees the whole assessment (every district, the ranking, the exports):
    the province itself (or above it), not a district."""
    return policy.node_contains(user, assessment.province_id)


def RULES():
    province = policy.province_in_node()
    by_province = {policy.ADD: province, policy.CHANGE: province, policy.DELETE: policy.nobody}
    return {
        Rubric: dict(by_province),
        Criterion: dict(by_province),
        Level: dict(by_province),
        Assessment: dict(by_province),
        Score: dict(by_province),
    }
