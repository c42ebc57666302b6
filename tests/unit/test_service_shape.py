"""The service template as a test: the same files in every served service, and the import rules.

Served services are the ones `services/app.py` finds an implementation for (a contract in
`CONTRACTS` and a `services/<name>/server.py`), so a new service is held to the template the day
it is served. `PENDING` lists what a service still owes (empty today); an entry that no longer
happens fails too, so the list only shrinks.
"""

from __future__ import annotations

import ast
import pathlib
import textwrap

import pytest

from services.app import CONTRACTS, implemented

SERVICES = pathlib.Path(__file__).resolve().parents[2] / "services"

REQUIRED_FILES = (
    "__init__.py",
    "server.py",
    "handlers.py",
    "usecases.py",
    "domain.py",
    "repository.py",
    "models.py",
    "settings.py",
)
# Top-level packages a module must not import, by file name.
FORBIDDEN = {
    "domain.py": ("sqlalchemy", "grpc", "google.protobuf", "stripe", "httpx", "redis", "boto3"),
    "handlers.py": ("sqlalchemy",),
}

# What a served service still owes the template, as `(relative path, rule)`. Remove an entry
# with the change that pays it; the test fails on an entry that no longer happens.
PENDING: set[tuple[str, str]] = set()  # all eight services follow the template; keep it that way
# What a domain never reaches: its service's rows and queries, or the database (rules on plain values).
DOMAIN_NEVER_IMPORTS = ("repository", "models")


def served_services() -> list[str]:
    return [name for name in CONTRACTS if implemented(name)]


def imported_modules(path: pathlib.Path, root: pathlib.Path) -> set[str]:
    """Every module a file imports, at any depth (imports inside functions count), as absolute names."""
    package = ".".join(("services", *path.parent.relative_to(root).parts))
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def receives_a_repository(path: pathlib.Path) -> bool:
    """Whether any function in the file takes a repository or a database session (by annotation)."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
                annotation = ast.unparse(argument.annotation) if argument.annotation else ""
                if "Repository" in annotation or "OrmSession" in annotation or "orm.Session" in annotation:
                    return True
    return False


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _service_of(module: str, all_services: list[str]) -> str | None:
    """The service a module belongs to; `services.app` (the composition root) and core belong to none."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "services" and parts[1] in all_services:
        return parts[1]
    return None


def violations(root: pathlib.Path, served: list[str], all_services: list[str]) -> set[tuple[str, str]]:
    """The template's breaches under `root` (a `services/` folder), as `(relative path, rule)`."""
    found: set[tuple[str, str]] = set()
    for name in served:
        folder = root / name
        for required in REQUIRED_FILES:
            if not (folder / required).is_file():
                found.add((f"{name}/{required}", "missing file"))
        settings = folder / "settings.py"
        if settings.is_file():
            expected = f"{name.capitalize()}Settings"
            classes = {
                node.name: [ast.unparse(base) for base in node.bases]
                for node in ast.walk(ast.parse(settings.read_text()))
                if isinstance(node, ast.ClassDef)
            }
            if "ServiceSettings" not in classes.get(expected, []):
                found.add((f"{name}/settings.py", f"no class {expected}(ServiceSettings)"))
    for name in all_services:
        folder = root / name
        if not folder.is_dir():
            continue
        peer_clients = {f"services.{name}.{path.stem}" for path in folder.glob("*_client.py")}
        for path in sorted(folder.rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            modules = imported_modules(path, root)
            for package in FORBIDDEN.get(path.name, ()):
                if any(_under(module, package) for module in modules):
                    found.add((relative, f"imports {package}"))
            if path.name == "handlers.py" and any(_under(module, f"services.{name}.models") for module in modules):
                found.add((relative, f"imports services.{name}.models"))
            if path.name == "domain.py":
                for own in (*(f"services.{name}.{m}" for m in DOMAIN_NEVER_IMPORTS), "services.core.db"):
                    if any(_under(module, own) for module in modules):
                        found.add((relative, f"imports {own}"))
                if receives_a_repository(path):
                    found.add((relative, "receives a repository"))
            if path.name == "repository.py":
                for client in sorted(peer_clients):
                    if any(_under(module, client) for module in modules):
                        found.add((relative, f"imports {client}"))
            others = {_service_of(module, all_services) for module in modules} - {None, name}
            for other in sorted(o for o in others if o is not None):
                found.add((relative, f"imports services.{other}"))
    core = root / "core"
    for path in sorted(core.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        for service in sorted({s for s in (_service_of(m, all_services) for m in imported_modules(path, root)) if s}):
            found.add((relative, f"imports services.{service}"))
    return found


def test_served_services_come_from_the_composition_root() -> None:
    served = served_services()
    assert served, "services/app.py serves no implemented service"
    assert set(served) <= set(CONTRACTS)


def test_every_served_service_follows_the_template() -> None:
    found = violations(SERVICES, served_services(), list(CONTRACTS))
    new = sorted(found - PENDING)
    paid = sorted(PENDING - found)
    assert not new, "the service template is broken:\n" + "\n".join(f"  {path}: {rule}" for path, rule in new)
    assert not paid, "no longer happens; remove from PENDING:\n" + "\n".join(f"  {path}: {rule}" for path, rule in paid)


def _plant(root: pathlib.Path, files: dict[str, str]) -> pathlib.Path:
    for relative, text in files.items():
        target = root / "services" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    return root / "services"


COMPLETE = {name: "" for name in REQUIRED_FILES} | {
    "settings.py": "from services.core.settings import ServiceSettings\nclass ShopSettings(ServiceSettings):\n    pass\n"
}


def test_a_complete_service_passes(tmp_path: pathlib.Path) -> None:
    root = _plant(tmp_path, {f"shop/{name}": text for name, text in COMPLETE.items()} | {"core/db.py": "import sqlalchemy\n"})
    assert violations(root, ["shop"], ["shop"]) == set()


@pytest.mark.parametrize(
    ("relative", "source", "rule"),
    [
        ("shop/domain.py", "import sqlalchemy\n", "imports sqlalchemy"),
        ("shop/domain.py", "def f():\n    from google.protobuf import timestamp_pb2\n", "imports google.protobuf"),
        ("shop/domain.py", "import stripe\n", "imports stripe"),
        ("shop/domain.py", "from redis import asyncio\n", "imports redis"),
        ("shop/domain.py", "from services.shop.repository import ShopRepository\n", "imports services.shop.repository"),
        ("shop/domain.py", "from .models import Order\n", "imports services.shop.models"),
        ("shop/domain.py", "from services.core.db import Database\n", "imports services.core.db"),
        ("shop/domain.py", "def place(repo: 'ShopRepository') -> None: ...\n", "receives a repository"),
        (
            "shop/domain.py",
            "class R:\n    def place(self, *, repo: Repo[ShopRepository]) -> None: ...\n",
            "receives a repository",
        ),
        ("shop/handlers.py", "from sqlalchemy.exc import IntegrityError\n", "imports sqlalchemy"),
        ("shop/handlers.py", "from services.shop.models import Order\n", "imports services.shop.models"),
        ("shop/handlers.py", "from .models import Order\n", "imports services.shop.models"),
        ("shop/repository.py", "from services.shop import billing_client\n", "imports services.shop.billing_client"),
        ("shop/usecases.py", "from services.billing import domain\n", "imports services.billing"),
        ("core/db.py", "from services.shop.models import Order\n", "imports services.shop"),
    ],
)
def test_a_planted_violation_fails(tmp_path: pathlib.Path, relative: str, source: str, rule: str) -> None:
    files = {f"shop/{name}": text for name, text in COMPLETE.items()} | {"shop/billing_client.py": ""}
    root = _plant(tmp_path, files | {relative: source})
    assert violations(root, ["shop"], ["shop", "billing"]) == {(relative, rule)}


def test_a_missing_file_or_settings_class_fails(tmp_path: pathlib.Path) -> None:
    files = {f"shop/{name}": text for name, text in COMPLETE.items() if name != "usecases.py"}
    root = _plant(tmp_path, files | {"shop/settings.py": "class ShopSettings:\n    pass\n"})
    assert violations(root, ["shop"], ["shop"]) == {
        ("shop/usecases.py", "missing file"),
        ("shop/settings.py", "no class ShopSettings(ServiceSettings)"),
    }
