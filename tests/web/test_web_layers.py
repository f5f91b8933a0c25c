"""The house's layering: routes do not call routes; the core knows no HTTP; the web maps."""

from __future__ import annotations

import ast
from importlib.resources import files

from soulmark.core import errors
from soulmark.core.exclusions import ExclusionsRefused
from soulmark.web.deps import Forbidden, Unauthorized
from soulmark.web.errors import status_of


def _imports(source: str) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_no_route_module_imports_another_route_module():
    routes = files("soulmark.web.routes")
    for path in routes.iterdir():
        if path.name.endswith(".py") and path.name != "__init__.py":
            own = f"soulmark.web.routes.{path.name[:-3]}"
            others = {m for m in _imports(path.read_text()) if m.startswith("soulmark.web.routes")}
            assert others <= {own}, (path.name, others)


def test_core_errors_carry_no_http_status_and_the_web_maps_each_type():
    for cls in (errors.SoulmarkError, errors.InvalidInput, errors.NotFound, errors.Conflict):
        assert not hasattr(cls, "status") and not hasattr(cls, "status_code")
    assert status_of(errors.InvalidInput("x")) == 422
    assert status_of(errors.NotFound("x")) == 404
    assert status_of(errors.Conflict("x")) == 409
    assert status_of(ExclusionsRefused("x")) == 409  # a subclass answers as its ancestor
    assert status_of(errors.TranscriptError("x")) == 400
    assert status_of(Unauthorized("x")) == 401 and status_of(Forbidden("x")) == 403


def test_core_imports_no_web_database_or_planet_code():
    core = files("soulmark.core")
    banned = ("soulmark.web", "soulmark.store", "soulmark.planet", "soulmark.services", "fastapi")
    for path in core.iterdir():
        if path.name.endswith(".py"):
            found = {m for m in _imports(path.read_text()) if m.startswith(banned)}
            assert not found and "sqlalchemy" not in _imports(path.read_text()), path.name


def test_tests_import_nothing_from_bench():
    """The harness lives under tests/ (tests/harness); bench/ uses it, never the reverse."""
    from pathlib import Path

    root = Path(__file__).parents[1]
    for path in root.rglob("*.py"):
        found = {m for m in _imports(path.read_text("utf-8")) if m.split(".")[0] == "bench"}
        assert not found, (str(path.relative_to(root)), found)
