#!/usr/bin/env bash
# Runs the demo study. With a display: the desktop app opens on it and starts it running.
# Without one: the same study runs headless and its plots are exported.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin="${BUILD_DIR:-$here/build/release}/bin"
demo="$here/build/demo"
mkdir -p "$demo"
# The study file is copied so that its database lands in the build tree, not the sources;
# an existing copy is kept so the demo resumes where it was.
[ -f "$demo/fmnist-demo.yaml" ] || cp "$here/resources/examples/fmnist-demo.yaml" "$demo/"

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
    echo "Opening ParamScope on $demo/fmnist-demo.yaml (the study runs in the background)."
    exec "$bin/paramscope" --run "$demo/fmnist-demo.yaml"
fi

echo "No display: running the demo study headless."
"$bin/paramscope-cli" run "$demo/fmnist-demo.yaml"
"$bin/paramscope-cli" status "$demo/fmnist-mlp-demo.db" | head -40
"$bin/paramscope-cli" export "$demo/fmnist-mlp-demo.db" --out "$demo/export" >/dev/null
echo
echo "Plots and data exported to $demo/export:"
ls -1 "$demo/export" | sed "s|^|  $demo/export/|"
