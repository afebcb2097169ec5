"""The seams stay closed: one permission check and no write on behalf of nobody.

- The policy is asked in one place, ``accounts.policy.require`` (and by ``do_save`` and
  ``do_delete``, which call it). No app keeps its own ``_require`` or ``require``, whose copies
  used to differ (some skipped the question for ``actor=None``, one did not).
- Tumbuh itself acts as ``policy.SYSTEM``: no write action is called with ``None`` as its
  actor, neither in the code nor in the tests (but for a test that it raises ``TypeError``).

Read with ``ast``, not with a text search, so that comments, strings and line breaks neither
hide a call nor invent one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # tumbuh/
POLICY = ROOT / "accounts" / "policy.py"

#: Calls that write (or start writing) on behalf of their first argument, the actor.
WRITERS = {"set_coverage", "compute", "decide_lokus"}


def _sources() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if "migrations" not in p.parts)


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT.parent)}:{node.lineno}"


def require_copies(path: Path, tree: ast.AST) -> list[str]:
    return [
        f"{_where(path, node)} defines {node.name}"
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in ("_require", "require")
    ]


def _refusals(tree: ast.AST) -> set[ast.AST]:
    """Calls inside ``with pytest.raises(TypeError):``: tests that ``None`` is refused."""
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.With) and any(
            isinstance(item.context_expr, ast.Call)
            and _called_name(item.context_expr) == "raises"
            and any(isinstance(a, ast.Name) and a.id == "TypeError" for a in item.context_expr.args)
            for item in node.items
        ):
            inside.update(n for statement in node.body for n in ast.walk(statement))
    return inside


def none_actors(path: Path, tree: ast.AST) -> list[str]:
    found = []
    refusals = _refusals(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or node in refusals:
            continue
        name = _called_name(node)
        if name is None or not (name.startswith("do_") or name in WRITERS):
            continue
        if (node.args and _is_none(node.args[0])) or any(k.arg == "actor" and _is_none(k.value) for k in node.keywords):
            found.append(f"{_where(path, node)} calls {name} with None as the actor")
    return found


@pytest.fixture(scope="module")
def trees() -> list[tuple[Path, ast.AST]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"), filename=str(p))) for p in _sources()]


def test_the_sources_are_read(trees):
    paths = {p for p, _tree in trees}
    assert POLICY in paths and Path(__file__).resolve() in paths
    assert any("tests" in p.parts for p in paths) and len(paths) > 100


def test_no_app_keeps_its_own_permission_check(trees):
    found = [line for path, tree in trees if path != POLICY for line in require_copies(path, tree)]
    assert found == [], "ask tumbuh.accounts.policy.require (or let do_save ask):\n" + "\n".join(found)


def test_the_policy_keeps_the_one_require(trees):
    assert require_copies(POLICY, dict(trees)[POLICY])


def test_no_write_is_made_on_behalf_of_nobody(trees):
    found = [line for path, tree in trees for line in none_actors(path, tree)]
    assert found == [], "the system acts as policy.SYSTEM, never None:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source,expected",
    [
        ("do_save(None, obj)", 1),
        ("actions.do_check_in(None, came)", 1),
        ("C.compute('73.24', 2025, [], actor=None)", 1),
        ("set_coverage(\n    None,\n    ind, code, 2025)", 1),
        ("do_save(policy.SYSTEM, obj)\ndo_save(user, obj, reason=None)\nsorted(None, x)", 0),
        ("with pytest.raises(TypeError):\n    do_save(None, obj)", 0),  # a test that None is refused
        ("with pytest.raises(ValueError):\n    do_save(None, obj)", 1),
    ],
)
def test_the_check_sees_a_none_actor_however_written(source, expected):
    assert len(none_actors(ROOT / "x.py", ast.parse(source))) == expected


def test_the_check_sees_a_copy_however_nested():
    tree = ast.parse(
        "class A:\n    def _require(self):\n        pass\n\ndef f():\n    def require(a, b, c):\n        pass\n"
    )
    assert len(require_copies(ROOT / "x.py", tree)) == 2
