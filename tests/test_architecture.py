# SPDX-License-Identifier: AGPL-3.0-or-later
"""The seams between areas: services import without views, and no import hides inside a function."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.single_database

VIEW_MODULE_ENDINGS = ("routes", "public", "playback")


def test_importing_an_area_services_pulls_in_no_views():
    probe = (
        "import sys\n"
        "import app.reviews.services, app.applications.services, app.portal.services, app.voice.services\n"
        f"print([m for m in sys.modules if m.startswith('app.') and m.endswith({VIEW_MODULE_ENDINGS!r})])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def function_level_imports(path: Path) -> list[str]:
    """Imports of the app's own modules inside functions (outside TYPE_CHECKING blocks)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            if isinstance(node, ast.Import):
                module = node.names[0].name
            if module and (module == "app" or module.startswith("app.")):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {module}")
    return found


def test_no_function_level_import_works_around_a_cycle():
    # The factory imports inside its register_* steps on purpose: nothing runs at import time.
    modules = [path for path in (ROOT / "app").rglob("*.py") if path != ROOT / "app" / "__init__.py"]
    assert [hit for path in modules for hit in function_level_imports(path)] == []


def test_the_top_of_app_holds_only_the_factory_and_entry_points():
    # Infrastructure lives in app/core/, everything else in its area's package.
    modules = {path.name for path in (ROOT / "app").glob("*.py")}
    assert modules == {"__init__.py", "cli.py", "demo.py", "worker.py"}


def test_every_source_file_carries_the_license_header():
    header = "SPDX-License-Identifier: AGPL-3.0-or-later"
    sources = [*ROOT.glob("app/**/*.py"), *ROOT.glob("static/js/*.js"), *ROOT.glob("static/embed/**/*.js")]
    assert [str(path.relative_to(ROOT)) for path in sources if header not in path.read_text()[:200]] == []


def test_one_email_field_and_one_actor_helper():
    # Copies drift apart (issue 22): forms build e-mail fields with app.core.forms.email_field,
    # staff views get the acting user from app.auth.decorators.actor.
    modules = {path: path.read_text() for path in (ROOT / "app").rglob("*.py")}
    email_fields = [str(p.relative_to(ROOT)) for p, text in modules.items() if "EmailField(" in text]
    actors = [str(p.relative_to(ROOT)) for p, text in modules.items() if "def actor(" in text]
    assert email_fields == ["app/core/forms.py"]
    assert actors == ["app/auth/decorators.py"]
