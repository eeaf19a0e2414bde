#!/usr/bin/env bash
# The whole test suite: unit, doctests, integration (real redis-server and S3 server on free
# loopback ports) and browser tests (Debian's Chromium). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
LLAVE_WITH_BROWSER=1 bash scripts/bootstrap.sh
export OMP_THREAD_LIMIT=1
source scripts/uv.sh
$UV run --frozen ruff check .
$UV run --frozen mypy
set +e
$UV run --frozen pytest "$@"
status=$?
set -e
if [[ $status == 5 ]]; then
  echo "test.sh: pytest collected no tests" >&2
  exit 1
fi
exit $status
