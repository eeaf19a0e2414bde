#!/usr/bin/env bash
# The main job: verify every bundled fixture case with the embedded default (no Redis, no S3)
# and print the evaluation summary. Extra arguments go to `llave-verify batch`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export OMP_THREAD_LIMIT=1
source scripts/uv.sh
exec $UV run --frozen llave-verify batch fixtures/cases --out out/fixtures "$@"
