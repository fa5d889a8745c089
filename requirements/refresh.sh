#!/usr/bin/env bash
# Refresh the lock files from pyproject.toml's ranges: the newest versions those ranges allow,
# with hashes, for Python 3.11 on every platform. Run it on purpose (not in CI), then run the
# suite with the new lock (`.ci/run`) and commit the lock only if it passes.
#   requirements/refresh.sh               newest allowed versions of everything
#   requirements/refresh.sh -P babel      upgrade only Babel, keep every other pin
set -euo pipefail
cd "$(dirname "$0")/.."
tools="${WEGWEISER_TOOLS_VENV:-.venv-tools}"
[ -x "$tools/bin/uv" ] || { python3 -m venv "$tools" && "$tools/bin/pip" install -q uv; }
compile() {
  "$tools/bin/uv" pip compile pyproject.toml requirements/build.in --universal \
    --python-version 3.11 --generate-hashes --no-header --quiet "$@"
}
upgrade=(--upgrade)
[ "$#" -gt 0 ] && upgrade=("$@")
# The test lock is the superset; the run and serve locks take exactly the same versions from
# it. The bench lock (locust, which pulls gevent) is kept apart so the test install does not
# grow; it takes every version it shares with the test lock from there.
compile --extra test --extra postgres --extra pdf --extra serve "${upgrade[@]}" \
  -o requirements/test.txt
# uv writes "fonttools==…"; pip's --require-hashes then takes WeasyPrint's "fonttools[woff]>=…"
# for an unpinned requirement as soon as a newer fonttools is out, and the install fails. Lock
# it with its extra (tests/test_dependencies.py finds any other such case).
sed -i -E 's/^fonttools==/fonttools[woff]==/' requirements/test.txt
compile -c requirements/test.txt -o requirements/run.txt
compile --extra postgres --extra serve -c requirements/test.txt -o requirements/serve.txt
compile --extra postgres --extra serve --extra bench -c requirements/test.txt \
  -o requirements/bench.txt
echo "requirements/{test,run,serve,bench}.txt written; now run .ci/run"
