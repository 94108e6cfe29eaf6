"""The machine-checked rules of the codebase, run as tests so the one test command enforces them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ketamine_desktop"
FORBIDDEN_IN_DOMAIN = (
    "PySide6",
    "shiboken6",
    "sqlite3",
    "ketamine_desktop.gui",
    "ketamine_desktop.state",
    "ketamine_desktop.store",
    "ketamine_desktop.cli",
)
MAX_MODULE_LINES = 600  # STYLE.md: split a module by job before it gets there


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_domain_imports_no_qt_storage_or_gui() -> None:
    """The same rule as the import-linter contract, checked without it (and on lazy imports too)."""
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((PACKAGE / "domain").rglob("*.py"))
        for name in _imports(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_IN_DOMAIN)
    ]
    assert offenders == []


def test_domain_keeps_nothing_between_calls() -> None:
    """No `global` (or `nonlocal`) rebinding in the pure layer: what one call leaves for the next (the
    schedule's point) is a value its caller carries (`session_schedule`), not a module's hidden memo."""
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno} {type(node).__name__.lower()} {', '.join(node.names)}"
        for path in sorted((PACKAGE / "domain").rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Global | ast.Nonlocal)
    ]
    assert offenders == []


def test_store_imports_no_qt() -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((PACKAGE / "store").rglob("*.py"))
        for name in _imports(path)
        if name.startswith(("PySide6", "shiboken6"))
    ]
    assert offenders == []


def test_state_imports_qtcore_only() -> None:
    """state/ holds the stores and the ticker: QtCore only (import-linter cannot forbid a subpackage of
    PySide6); windows, icons, the tray and the beep are the GUI's (gui/)."""
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((PACKAGE / "state").rglob("*.py"))
        for name in _imports(path)
        if name.startswith("PySide6") and name != "PySide6.QtCore"
    ]
    assert offenders == []


def _line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_no_module_over_600_lines() -> None:
    """A module that does one job stays readable: over MAX_MODULE_LINES, split it along its seams (one job
    per module), not by squeezing out comments."""
    too_long = [
        f"{path.relative_to(ROOT)}: {lines} lines"
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := _line_count(path)) > MAX_MODULE_LINES
    ]
    assert too_long == []


def test_line_count_counts_every_line(tmp_path: Path) -> None:
    """The size rule's counter: a file of 601 lines (the last without a newline) counts as 601."""
    module = tmp_path / "module.py"
    module.write_text("x = 1\n" * 600 + "y = 2", encoding="utf-8")
    assert _line_count(module) == MAX_MODULE_LINES + 1


def test_import_linter_contracts() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def _cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or round a loop (Tarjan's components)."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        for other in sorted(imports.get(module, ())):
            if other not in order:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], order[other])
        if low[module] == order[module]:
            group = [stack.pop()]
            while group[-1] != module:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(imports):
        if module not in order:
            visit(module)
    return found


def test_no_import_cycles() -> None:
    """No two modules of the app import each other, round any loop, also through a lazy import."""
    import grimp

    graph = grimp.build_graph("ketamine_desktop", cache_dir=None)
    imports = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    assert _cycles(imports) == []


def test_the_cycle_finder_finds_a_loop() -> None:
    imports = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(imports) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_mypy_strict() -> None:
    from mypy import api

    stdout, stderr, status = api.run(["--config-file", str(ROOT / "pyproject.toml")])
    assert status == 0, stdout + stderr


def test_ruff() -> None:
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():  # pragma: no cover - the test extra installs it
        pytest.skip("ruff is not installed")
    result = subprocess.run(
        [str(ruff), "check", "ketamine_desktop", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_error_prone_unit_spellings() -> None:
    """ISMP: mcg (never the micro sign or ug), mL (never cc), in code and in the library."""
    import re

    pattern = re.compile("(\u00b5g|[0-9] ?ug\\b|\\bcc\\b)")
    hits = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in [*PACKAGE.rglob("*.py"), *(ROOT / "resources").rglob("*.toml")]
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert hits == []
