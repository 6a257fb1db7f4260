"""Imports between the apps point one way (DESIGN.md §1): accounts ← credits, media ← aiproviders ←
studio; modo is imported by all and imports apps only in its URL, analytics and admin-site modules.
Every import counts, inside functions too; tests and migrations are not checked."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = {"accounts", "credits", "media", "aiproviders", "studio", "modo"}
# The apps each app may import (itself and modo always).
ALLOWED = {
    "accounts": set(),
    "credits": {"accounts"},
    "media": {"accounts"},
    "aiproviders": {"accounts", "credits", "media"},
    "studio": {"accounts", "credits", "media", "aiproviders"},
    "modo": set(),
}
# modo's modules that assemble the apps: the URL modules, analytics and the admin site.
MODO_ASSEMBLERS = {"modo/urls.py", "modo/api.py", "modo/analytics.py", "modo/admin.py", "modo/admin_views.py"}


def imported_apps(source: str, app: str) -> list[tuple[int, str]]:
    """(line, app) for every import of one of APPS in `source`, a module of `app`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [app if node.level else node.module]  # a relative import stays inside its app
        else:
            continue
        found += [(node.lineno, name.split(".")[0]) for name in names if name.split(".")[0] in APPS]
    return found


def violations(path: str, source: str) -> list[str]:
    """`path:line imports app` for each import in `source` (the module at `path`, relative to the
    project root) that goes against the allowed direction."""
    app = path.split("/")[0]
    if app == "modo" and (path in MODO_ASSEMBLERS or path.startswith("modo/admin_site/")):
        return []
    return [f"{path}:{line} imports {target}" for line, target in imported_apps(source, app)
            if target not in ALLOWED[app] | {app, "modo"}]


def checked_modules():
    for app in sorted(APPS):
        for file in sorted((ROOT / app).rglob("*.py")):
            path = file.relative_to(ROOT).as_posix()
            if not {"tests", "migrations"} & set(path.split("/")):
                yield path, file.read_text()


def test_imports_between_apps_point_one_way():
    found = [v for path, source in checked_modules() for v in violations(path, source)]
    assert not found, "imports against DESIGN.md §1:\n" + "\n".join(found)


def test_the_checker_reports_a_wrong_way_import():
    source = "import uuid\n\nfrom .models import User\n\n\ndef f():\n    from studio.models import Generation\n"
    assert violations("accounts/services.py", source) == ["accounts/services.py:7 imports studio"]
    assert violations("media/api.py", "from studio import selectors\nfrom accounts.models import User\n") == [
        "media/api.py:1 imports studio"
    ]
    assert violations("modo/views.py", "import credits.selectors\n") == ["modo/views.py:1 imports credits"]
    assert violations("modo/urls.py", "from studio import views\n") == []
    assert violations("studio/views.py", "from aiproviders import router\nfrom . import jobs\n") == []
