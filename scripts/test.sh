#!/usr/bin/env bash
# Builds with the ci preset (warnings are errors) and runs every test, the GUI tests
# included, under a private Xvfb that this script starts and stops (xvfb-run -a picks a
# free display number).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
cmake --preset ci
cmake --build --preset ci -j "$(nproc)"
mkdir -p build/ci/test-tmp
xvfb-run -a -s "-screen 0 1600x1000x24" ctest --preset ci -j 2 "$@"
