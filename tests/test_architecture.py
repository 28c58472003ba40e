"""The project's structure, held: the app boundaries (import-linter's contracts in
pyproject.toml), the modules every app has (docs/architecture.md), no module past 500 lines
without saying why, one list of a person's fields, one lifecycle table per status."""

import ast
import importlib
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent
APPS = ("registry", "contributions", "benefits", "queueing")
# Each app's modules (a module or a package of that name), as docs/architecture.md lists them.
SKELETON = (
    "models",
    "services",
    "selectors",
    "filters",
    "forms",
    "views",
    "urls",
    "api/serializers",
    "api/views",
    "api/urls",
    "tasks",
    "admin",
    "menu",
    "demo",
)
LONG = 500
REASON = "Over 500 lines:"


def test_the_import_contracts_hold():
    """Apps depend downwards only (sso.core < registry < contributions < benefits, queueing)
    and read and write each other only through selectors and services."""
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert lint_imports, "import-linter is a development requirement"
    result = subprocess.run([lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("app", APPS)
def test_every_app_has_the_skeleton(app):
    base = ROOT / app
    missing = [
        name for name in SKELETON if not (base / f"{name}.py").is_file() and not (base / name / "__init__.py").is_file()
    ]
    assert not missing, f"{app} lacks {missing} (docs/architecture.md lists every app's modules)"
    assert (base / "templates" / app).is_dir()


@pytest.mark.parametrize("app", APPS)
def test_an_app_has_one_module_or_one_package_of_views(app):
    """Pages live in `views` (a module or a package), not in `*_views.py` beside it."""
    strays = sorted(path.name for path in (ROOT / app).glob("*_views.py"))
    assert not strays, f"{app}: move {strays} into the views package"


def _modules():
    for top in ("sso", *APPS):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_module_is_over_500_lines_without_a_reason_at_its_top():
    unexplained = []
    for path in _modules():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") <= LONG:
            continue
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if REASON not in docstring:
            unexplained.append(f"{path.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    assert not unexplained, f"split these, or say at their top ('{REASON} ...') why not: {unexplained}"


def test_a_persons_fields_are_one_list():
    """The counter's forms, the services, the merge and the API take a person's fields from
    InsuredPerson.PERSONAL_FIELDS."""
    from registry import forms, merging, services
    from registry.api.serializers import PersonFieldsSerializer
    from registry.models import InsuredPerson

    fields = InsuredPerson.PERSONAL_FIELDS
    assert services.common.PERSON_FIELDS == fields
    assert tuple(forms.PersonEditForm.Meta.fields) == fields
    assert set(forms.PersonFieldsForm.person_field_names) == set(fields) - {"province"}
    assert tuple(PersonFieldsSerializer().fields) == fields
    assert merging.IDENTITY_FIELDS == InsuredPerson.IDENTITY_FIELDS
    for name in (*InsuredPerson.PERSONAL_FIELDS, *InsuredPerson.IDENTITY_FIELDS):
        InsuredPerson._meta.get_field(name)


def test_every_status_lifecycle_names_only_its_models_statuses():
    """Each app's `lifecycles` module holds one table per status field; a table naming a
    status the model does not have fails when the module loads (sso.core.lifecycle)."""
    from sso.core.lifecycle import Lifecycle

    found = {}
    for app in APPS:
        if importlib.util.find_spec(f"{app}.lifecycles") is None:
            continue
        module = importlib.import_module(f"{app}.lifecycles")
        for value in vars(module).values():
            if isinstance(value, Lifecycle):
                found[(value.model._meta.label, value.field)] = value
    for (label, field_name), lifecycle in found.items():
        choices = {value for value, _label in apps.get_model(label)._meta.get_field(field_name).flatchoices}
        named = set(lifecycle.moves) | {target for targets in lifecycle.moves.values() for target in targets}
        assert named <= choices, (label, named - choices)
    assert {"benefits.Claim", "benefits.PaymentOrder", "benefits.Appeal", "queueing.Ticket"} <= {
        label for label, _field in found
    }
