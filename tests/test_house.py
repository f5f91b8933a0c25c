"""The house's rules: no function over 40 lines outside the migrations (issue #10), no import circle
anywhere, tests and benchmarks included (issue 21)."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

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


def _import_graph(roots: list[Path], top: Path) -> nx.DiGraph:
    """Every module under ``roots`` and the modules of the same tree it imports (at any depth of
    its body: an import inside a function closes a circle as surely)."""

    def name(path: Path) -> str:
        parts = list(path.relative_to(top).with_suffix("").parts)
        parts = parts[1:] if parts[0] == "src" else parts
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    paths = {name(p): p for root in roots for p in root.rglob("*.py")}
    graph = nx.DiGraph()
    for module, path in paths.items():
        graph.add_node(module)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for target in _targets(ast.parse(path.read_text("utf-8")), package):
            if target in paths and target != module:
                graph.add_edge(module, target)
            elif target.rpartition(".")[0] in paths and target.rpartition(".")[0] != module:
                graph.add_edge(module, target.rpartition(".")[0])
    return graph


def _targets(tree: ast.AST, package: str) -> list[str]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            out += [f"{base}.{a.name}" for a in node.names]
    return out


def test_21_no_import_circle_in_the_app_its_tests_or_its_benchmarks():
    top = Path(__file__).resolve().parents[1]
    graph = _import_graph([top / "src" / "soulmark", top / "tests", top / "bench"], top)
    assert graph.number_of_nodes() > 300
    assert list(nx.simple_cycles(graph)) == []


def test_21_the_walk_sees_a_circle(tmp_path):
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "a.py").write_text("from bench.b import x\n")
    (tmp_path / "bench" / "b.py").write_text("def f():\n    from bench import a\n")
    (tmp_path / "bench" / "__init__.py").write_text("")
    cycles = list(nx.simple_cycles(_import_graph([tmp_path / "bench"], tmp_path)))
    assert sorted(map(sorted, cycles)) == [["bench.a", "bench.b"]]


# -- issue 21: one wrist view ---------------------------------------------------------------

SRC = Path(soulmark.__file__).parent


def _modules() -> dict[str, ast.Module]:
    return {
        str(path.relative_to(SRC)): ast.parse(path.read_text("utf-8"))
        for path in sorted(SRC.rglob("*.py"))
        if "migrations" not in path.relative_to(SRC).parts
    }


def _called(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.id if isinstance(func, ast.Name) else getattr(func, "attr", ""))
    return names


def _imported(tree: ast.Module) -> set[str]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out


def _wrist_sentences() -> set[str]:
    tree = ast.parse((SRC / "services" / "wrist_words.py").read_text("utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") == "N_"
        and isinstance(node.args[0], ast.Constant)
    }


def test_i21_a_wrist_sentence_is_written_once_in_the_whole_app():
    """A mail may begin with the same words (notices.compose): it is another text."""
    sentences = _wrist_sentences()
    # five states, twice, and four more (the left-out words where no next draw comes: issue 19)
    assert len(sentences) == 14, sentences
    for name, tree in _modules().items():
        if name != "services/wrist_words.py":
            strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
            assert not sentences & strings, name
    for path in sorted([*SRC.rglob("*.html"), *SRC.rglob("*.js")]):
        text = path.read_text("utf-8")
        assert not [s for s in sentences if s in text], path.relative_to(SRC)


def test_i21_only_the_view_module_composes_a_wrist_view_from_its_words():
    words = "soulmark.services.wrist_words"
    for name, tree in _modules().items():
        if name in ("services/wrist_view.py", "services/wrist_words.py"):
            continue
        assert words not in _imported(tree), f"{name} composes wrist sentences"
        built = _called(tree) & {"WristView", "SharedView", "MarkView"}
        assert not built, f"{name} builds a wrist view itself: {built}"


def test_i21_a_wrist_is_read_one_way():
    modules = _modules()
    for name, tree in modules.items():
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert "view_of" not in defined | _called(tree), name
        if name != "services/wrist_read.py":
            assert "WristSnapshot" not in _called(tree), f"{name} makes a snapshot itself"


# -- issue 21: the layers -------------------------------------------------------------------

LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"core"}),
    frozenset({"planet"}),
    frozenset({"store"}),
    frozenset({"notices", "push"}),
    frozenset({"services"}),
    frozenset({"jobs"}),
    frozenset({"web", "cli"}),
)
"""From the bottom up: a package imports only from its own layer or those below it."""


def _package_imports() -> dict[str, set[str]]:
    """Top package of soulmark -> the soulmark top packages it imports, by module."""
    out: dict[str, set[str]] = {}
    for name, tree in _modules().items():
        package = name.split("/")[0].removesuffix(".py")
        found = {m.split(".")[1] for m in _imported(tree) if m.startswith("soulmark.")}
        out.setdefault(package, set()).update(found - {package})
    return out


def _layer(package: str) -> int | None:
    return next((i for i, layer in enumerate(LAYERS) if package in layer), None)


def test_i21_no_import_runs_back_up_the_layers():
    imports = _package_imports()
    assert {p for layer in LAYERS for p in layer} <= set(imports)
    upward = []
    for package, targets in imports.items():
        low = _layer(package)
        for target in targets:
            high = _layer(target)
            if low is not None and high is not None and high > low:
                upward.append(f"{package} -> {target}")
    assert upward == []


def test_i21_notices_imports_no_services():
    assert "services" not in _package_imports()["notices"]
    assert "jobs" not in _package_imports()["services"] | _package_imports()["notices"]


def test_i21_the_worker_runs_the_jobs_registered_in_one_place():
    """A planned seal or a sign-in answer is run by soulmark.jobs, and only registered there."""
    from dataclasses import fields

    from soulmark.jobs import JOBS, WorkerReport

    assert [job.name for job in JOBS] == ["sealed", "asked"]
    assert {job.name for job in JOBS} <= {f.name for f in fields(WorkerReport)}
    for name, tree in _modules().items():
        if not name.startswith(("jobs/", "services/")):
            assert not {"seal_due", "answer_requests"} & _called(tree), name


def test_i21_the_readers_language_lives_in_no_context_variable():
    """Only the log's request id is a context variable: a line logged deep in a service cannot
    be handed it.  The language is passed to what answers (soulmark.web.lang)."""
    holders = [
        name
        for name, tree in _modules().items()
        if "ContextVar" in _called(tree) or "contextvars" in _imported(tree)
    ]
    assert holders == ["observe/logs.py"]


# -- issue 21: one URL builder --------------------------------------------------------------

PAGES = ("/w/", "/wrist/", "/share/", "/organizer/", "/unsubscribe/", "/signin/", "/confirm/")


def _spelled_links(tree: ast.Module) -> list[str]:
    """f-strings that spell an app page's address (a route's own path is a plain string)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            if any(page in text for page in PAGES):
                found.append(text)
    return found


def test_i21_every_link_the_app_writes_is_spelled_in_one_module():
    spelled = {
        name: links
        for name, tree in _modules().items()
        if name != "core/links.py" and (links := _spelled_links(tree))
    }
    assert spelled == {}


def test_i21_the_walk_sees_a_link_spelled_by_hand():
    assert _spelled_links(ast.parse('x = f"{base}/w/{slug}"')) == ["{}/w/{}"]
    assert _spelled_links(ast.parse('@router.get("/w/{slug}")\ndef f(): ...')) == []
