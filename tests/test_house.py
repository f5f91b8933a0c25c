"""The house's size rule (issue #10): no function over 40 lines outside the migrations."""

from __future__ import annotations

import ast
from pathlib import Path

import soulmark

MOST_LINES = 40


def _long_functions(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.relative_to(root).parts:
            continue  # Alembic writes each revision as one upgrade and one downgrade
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MOST_LINES:
                    found.append(f"{path.relative_to(root)}:{node.lineno} {node.name} ({lines})")
    return found


def test_i10_no_function_over_40_lines_outside_migrations():
    assert _long_functions(Path(soulmark.__file__).parent) == []


def test_i10_the_walk_sees_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MOST_LINES))
    (tmp_path / "long.py").write_text(f"async def long():\n{body}\n")
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "rev.py").write_text(f"def upgrade():\n{body}\n")
    assert _long_functions(tmp_path) == [f"long.py:1 long ({MOST_LINES + 1})"]
