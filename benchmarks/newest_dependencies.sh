#!/usr/bin/env bash
# Drift check, on purpose rather than by accident: install the NEWEST versions that
# pyproject.toml's ranges allow (ignoring requirements/*.txt) into a scratch venv, show which
# differ from the lock, and run the whole suite with them. Not part of .ci/run.
#   benchmarks/newest_dependencies.sh                 with python3
#   PYTHON=python3.13 benchmarks/newest_dependencies.sh   with another interpreter
#   benchmarks/newest_dependencies.sh -x tests/test_i18n.py   extra pytest arguments
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
venv="$(mktemp -d)/venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip setuptools
"$venv/bin/pip" install -q --upgrade --upgrade-strategy eager -e '.[test,postgres,pdf]'
echo "== $("$venv/bin/python" --version); versions that differ from requirements/test.txt:"
"$venv/bin/python" - <<'PY'
import re
from importlib.metadata import distributions
locked = {}
for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==([^ ;\\]+)", open("requirements/test.txt").read(), re.M):
    locked.setdefault(name.lower().replace("_", "-"), set()).add(version)
for dist in sorted(distributions(), key=lambda d: d.metadata["Name"].lower()):
    name = dist.metadata["Name"].lower().replace("_", "-")
    if name in locked and dist.version not in locked[name]:
        print(f"  {name}: lock {' / '.join(sorted(locked[name]))} -> newest {dist.version}")
PY
WEGWEISER_REQUIRE_ALL="${WEGWEISER_REQUIRE_ALL:-1}" "$venv/bin/python" -W error -m pytest -q "$@"
