"""The built wheel is the whole application, and its dependencies are pinned.

A non-editable install (the Docker image's) runs from the wheel alone: every file of the
packages' source folders must be in it, the templates, static files, locale catalogs and
migrations that the code reads next to itself (``Path(__file__)``) included. The wheel is
compared with the source tree rather than with a list, so a file added later and not declared
in pyproject's package-data fails here. ``.ci/run`` goes further: it installs the wheel in a
fresh virtualenv and serves pages from it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CONSTRAINTS = ROOT / "constraints.txt"

# Files of the package folders that the running application never reads.
NOT_SHIPPED = {
    "web/babel.cfg",  # pybabel's extraction settings, for whoever updates the catalogs
}


def packages() -> list[str]:
    """The top-level packages of the distribution (pyproject's ``packages.find``)."""
    patterns = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    names = [pattern.rstrip("*") for pattern in patterns]
    assert all((ROOT / name / "__init__.py").is_file() for name in names), names
    return names


def source_files() -> set[str]:
    """Every file under the package folders, as paths relative to the repository."""
    found: set[str] = set()
    for package in packages():
        for path in (ROOT / package).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                found.add(path.relative_to(ROOT).as_posix())
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the tree (setuptools writes ``build/`` where it builds,
    and a stale ``build/lib`` could ship files deleted since), offline, with this
    environment's setuptools."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for package in packages():
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    dist = work / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        + ["--no-index", "-w", str(dist), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (built,) = dist.glob("essaim-*.whl")
    return built


def wheel_files(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name for name in archive.namelist() if ".dist-info/" not in name}


def test_wheel_holds_every_file_of_the_packages(wheel: Path) -> None:
    expected = source_files() - NOT_SHIPPED
    shipped = wheel_files(wheel)
    assert not expected - shipped, f"missing from the wheel: {sorted(expected - shipped)}"
    assert not shipped - expected, f"in the wheel but not the tree: {sorted(shipped - expected)}"
    # The folders the code reads through Path(__file__) are there (not just empty names).
    for folder in (
        "web/templates/",
        "web/static/css/",
        "web/static/js/",
        "web/locale/fr/LC_MESSAGES/",
        "web/locale/en/LC_MESSAGES/",
        "animation/report/templates/",
        "server/core/migrations/versions/",
    ):
        assert any(name.startswith(folder) for name in shipped), folder
    assert "server/core/migrations/script.py.mako" in shipped
    assert NOT_SHIPPED <= source_files(), "NOT_SHIPPED names a file that no longer exists"


def test_wheel_declares_the_essaim_command(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (entry_points,) = [n for n in archive.namelist() if n.endswith("entry_points.txt")]
        text = archive.read(entry_points).decode()
    assert re.search(r"^essaim\s*=\s*server\.cli\.main:main$", text, re.MULTILINE), text


# Run by a separate interpreter that sees the unpacked wheel and not the source tree: migrates
# a new SQLite store, then renders the login page, its stylesheet and script, the health check
# and the French and English catalogs.
SMOKE = textwrap.dedent(
    """
    import asyncio, re, sys
    from pathlib import Path

    import httpx

    unpacked = Path(sys.argv[1]).resolve()
    import server, web
    for module in (server, web):
        assert Path(module.__file__).resolve().is_relative_to(unpacked), module.__file__

    from server.app.asgi import create_app
    from server.core.settings import Settings
    from web.i18n import translations

    assert translations("fr").gettext("Log in") != "Log in"

    async def main() -> None:
        settings = Settings.from_env({"ESSAIM_DATA_DIR": sys.argv[2]})
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
                page = await http.get("/login")
                assert page.status_code == 200, page.text
                assert page.headers["content-type"].startswith("text/html")
                assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
                assert any(".css" in a for a in assets) and any(".js" in a for a in assets)
                for asset in assets:
                    response = await http.get(asset)
                    assert response.status_code == 200, asset
                    assert response.content, asset
                health = await http.get("/api/v1/health")
                assert health.status_code == 200, health.text

    asyncio.run(main())
    print("served from the wheel")
    """
)


def test_unpacked_wheel_migrates_and_serves_pages(wheel: Path, tmp_path: Path) -> None:
    unpacked = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    # Only the wheel on the path: the source tree is neither the cwd nor in PYTHONPATH.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ESSAIM_", "PYTHON"))}
    env.update(PYTHONPATH=str(unpacked), PYTHONDONTWRITEBYTECODE="1")
    for variable in ("DATABASE_URL", "BROKER_URL", "SEARCH_URL", "SMTP_URL"):
        env.pop(variable, None)
    done = subprocess.run(
        [sys.executable, "-c", SMOKE, str(unpacked), str(tmp_path / "data")],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "served from the wheel" in done.stdout


# ---------------------------------------------------------------- constraints.txt


def pins() -> dict[str, str]:
    """constraints.txt as canonical name -> pinned version; every line must be ``name==v``."""
    found: dict[str, str] = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement = Requirement(line)
        (spec,) = requirement.specifier
        assert spec.operator == "==" and "*" not in spec.version, f"not a pin: {line}"
        name = canonicalize_name(requirement.name)
        assert name not in found, f"pinned twice: {name}"
        found[name] = spec.version
    return found


def declared(group: str | None) -> list[Requirement]:
    project = PYPROJECT["project"]
    lines = project["dependencies"] if group is None else project["optional-dependencies"][group]
    return [Requirement(line) for line in lines]


@pytest.mark.parametrize("group", [None, "test", "bench"], ids=["runtime", "test", "bench"])
def test_constraints_pin_every_dependency_within_its_floor(group: str | None) -> None:
    pinned = pins()
    for requirement in declared(group):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"constraints.txt pins {name}=={pinned[name]}, outside pyproject's {requirement}"
        )


def test_constraints_leave_the_floors_in_pyproject() -> None:
    """pyproject keeps ranges (a library's promise); the exact versions live in the file."""
    for group in (None, "test", "bench"):
        for requirement in declared(group):
            assert all(spec.operator == ">=" for spec in requirement.specifier), requirement
    assert "essaim" not in pins()


def test_ci_installs_pinned_and_serves_the_wheel() -> None:
    """.ci/run installs the README's way with the pins, then serves from the built wheel."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    install = "python3 -m pip install -q -c constraints.txt -e '.[test]'"
    assert install in ci.splitlines()
    assert "python3 -m pip install -c constraints.txt -e '.[test]' && python3 -m pytest" in readme
    assert "bash .ci/wheel-smoke" in ci.splitlines()
    smoke = (ROOT / ".ci" / "wheel-smoke").read_text(encoding="utf-8")
    assert '-c "$ROOT/constraints.txt"' in smoke
    for path in ("/login", "/api/v1/health", "/static/"):
        assert path in smoke
