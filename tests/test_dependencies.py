"""The install is reproducible: the lock pins every declared dependency within its range, the
README and CI install from it, and every package the code imports is declared."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, distribution, packages_distributions

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from wegweiser.config import PROJECT_ROOT

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCKS = PROJECT_ROOT / "requirements"
# A lock line: the name, its extras if any ("fonttools[woff]"), "==".
PIN = r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?=="


def pins(lock: str) -> dict[str, set[str]]:
    text = (LOCKS / lock).read_text(encoding="utf-8")
    found: dict[str, set[str]] = {}
    for name, version in re.findall(rf"^{PIN}([^\s;\\]+)", text, re.M):
        found.setdefault(canonicalize_name(name), set()).add(version)
    return found


def declared(*extras: str) -> list[Requirement]:
    project = PYPROJECT["project"]
    listed = project["dependencies"] + [r for e in extras
                                        for r in project["optional-dependencies"][e]]
    return [Requirement(r) for r in listed]


@pytest.mark.parametrize("lock, extras", [("run.txt", ()),
                                          ("test.txt", ("test", "postgres", "pdf"))])
def test_the_lock_pins_every_declared_dependency_within_its_range(lock, extras):
    locked = pins(lock)
    for requirement in declared(*extras):
        versions = locked.get(canonicalize_name(requirement.name))
        assert versions, f"{requirement.name} is not in requirements/{lock}: refresh the lock"
        assert all(requirement.specifier.contains(v, prereleases=True) for v in versions), \
            f"{lock} pins {requirement.name} {versions} outside {requirement.specifier}"


def test_every_pin_carries_a_hash():
    for lock in ("run.txt", "test.txt"):
        entries = re.split(r"\n(?=\S)", (LOCKS / lock).read_text(encoding="utf-8"))
        for entry in entries:
            if re.match(PIN, entry):
                assert "--hash=sha256:" in entry, f"{lock}: no hash for {entry.splitlines()[0]}"


def test_a_dependency_needed_with_extras_is_locked_with_them():
    # pip's hash-checking mode takes WeasyPrint's "fonttools[woff]>=4.59.2" for an unpinned
    # requirement unless the lock says "fonttools[woff]==…": the README's install failed on a
    # fresh machine the day fonttools 4.69.1 came out (requirements/refresh.sh adds the extra).
    text = (LOCKS / "test.txt").read_text(encoding="utf-8")
    extras = {canonicalize_name(name): set(filter(None, listed.split(",")))
              for name, listed in re.findall(r"^([A-Za-z0-9_.-]+)(?:\[([^\]]*)\])?==", text,
                                             re.M)}
    for name in extras:
        try:
            requires = distribution(name).requires or ()
        except PackageNotFoundError:  # locked for another platform or Python
            continue
        for spec in requires:
            requirement = Requirement(spec)
            needed = canonicalize_name(requirement.name)
            if not requirement.extras or needed not in extras:
                continue
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue  # only with an extra of ``name`` that the lock does not ask for
            assert requirement.extras <= extras[needed], \
                f"{name} needs {spec}: lock it as {requirement.name}[...]==, with its extras"


def test_the_demo_runs_on_exactly_the_tested_versions():
    tested = pins("test.txt")
    for name, versions in pins("run.txt").items():
        assert versions == tested[name], f"{name}: run.txt {versions}, test.txt {tested[name]}"


def _command(text: str, marker: str) -> str:
    return next(line.strip() for line in text.splitlines()
                if line.startswith("python3 -m venv") and marker in line)


def test_readme_and_ci_install_from_the_lock():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "-r requirements/run.txt" in _command(readme, "wegweiser demo")
    test_command = _command(readme, "pytest")
    assert "--require-hashes -r requirements/test.txt" in test_command
    assert _command(ci, "pytest").replace(" -q", "") == test_command


def _imported_top_level_modules() -> set[str]:
    names = set()
    for path in (PROJECT_ROOT / "wegweiser").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"wegweiser", "__future__"}


def test_every_package_the_code_imports_is_declared():
    distributions = packages_distributions()
    names = {canonicalize_name(r.name) for r in declared("postgres", "pdf")}
    for module in sorted(_imported_top_level_modules()):
        providers = {canonicalize_name(d) for d in distributions.get(module, [])}
        assert providers & names, f"`import {module}` ({providers}): not in pyproject.toml"
