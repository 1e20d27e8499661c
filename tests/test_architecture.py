"""The layout stays as docs/architecture.md describes it. import-linter (`make lint`) checks
the direction of imports and cycles; this checks what it cannot: a project import hidden
inside a function (the usual way to dodge a cycle) is allowed only in AppConfig.ready(),
which must wait for the app registry."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = {"blog", "media", "accounts", "config"}


def in_function_imports():
    for path in sorted(ROOT.glob("*/**/*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] not in PROJECT or "migrations" in rel.parts:
            continue
        for func in ast.walk(ast.parse(path.read_text())):
            if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                if any(name.split(".")[0] in PROJECT for name in names):
                    yield f"{rel}:{node.lineno} in {func.name}()"


def test_project_imports_inside_functions_happen_only_in_app_ready():
    offenders = [where for where in in_function_imports() if not where.split(":")[0].endswith("apps.py")
                 or not where.endswith(" in ready()")]
    assert offenders == []


def test_every_app_of_the_product_is_installed_under_its_label(settings):
    from django.apps import apps

    labels = {config.name: config.label for config in apps.get_app_configs()}
    assert {name: labels.get(name) for name in ("accounts", "media", "blog", "blog.comments", "blog.moderation")} == {
        "accounts": "accounts", "media": "media", "blog": "blog", "blog.comments": "comments",
        "blog.moderation": "moderation",
    }
