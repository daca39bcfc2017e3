"""Print the pins of constraints.txt: the installed version of every package that
``essaim[test,bench]`` needs, its dependencies' dependencies included, and nothing else.

The floors stay in pyproject.toml; this file records the versions the suite last passed with,
so that CI, the image and every fresh machine test the same code. Refresh (README,
Development): upgrade within the floors, regenerate, then run ``bash .ci/run``.
"""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = ("test", "bench")


def project_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [Requirement(line) for line in project["dependencies"]]
    for extra in EXTRAS:
        found += [Requirement(line) for line in project["optional-dependencies"][extra]]
    return found


def applies(requirement: Requirement, extras: set[str]) -> bool:
    """Whether this machine needs ``requirement`` when its parent is asked with ``extras``."""
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({"extra": extra}) for extra in extras | {""})


def closure(roots: list[Requirement]) -> dict[str, str]:
    """Canonical name -> installed version of every package ``roots`` pull in."""
    pins: dict[str, str] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(requirement, {""}) for requirement in roots]
    while todo:
        requirement, parent_extras = todo.pop()
        if not applies(requirement, parent_extras):
            continue
        name = canonicalize_name(requirement.name)
        key = (name, frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            sys.exit(f"{requirement} is needed but not installed: pip install -e '.[test,bench]'")
        version = distribution.version
        if not requirement.specifier.contains(version, prereleases=True):
            sys.exit(f"installed {name}=={version} does not satisfy {requirement}")
        pins[name] = version
        extras = set(requirement.extras)
        todo += [(Requirement(line), extras) for line in distribution.requires or []]
    pins.pop("essaim", None)
    return pins


def main() -> None:
    pins = closure(project_requirements())
    print("# Versions the test suite passed with; the floors are in pyproject.toml.")
    print("# Regenerate (README, Development): python3 .ci/constraints.py > constraints.txt")
    for name in sorted(pins):
        print(f"{name}=={pins[name]}")


if __name__ == "__main__":
    main()
