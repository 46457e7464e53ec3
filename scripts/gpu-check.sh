#!/usr/bin/env bash
# GPU check: builds paramscope-worker and paramscope-cli against a CUDA LibTorch (LibTorch 2.x,
# for instance the one inside a PyTorch install) and runs two short studies, an MLP and a CNN on
# Fashion-MNIST, on one GPU; then prints each trial's device, precision and samples per second.
#
#   scripts/gpu-check.sh [--torch-dir DIR] [--device cuda:0] [--build-dir build/gpu]
#                        [--epochs N] [--trials N] [--data DIR] [--subset N]
#
# --torch-dir: the folder holding TorchConfig.cmake; default $Torch_DIR, else the one of the
#   python3 that imports torch (torch.utils.cmake_prefix_path + /Torch).
# --data: Fashion-MNIST's four .gz files; default the Debian package's folder, else a synthetic
#   look-alike is generated (same shapes, learnable classes) so the figures still mean speed.
# --subset: training images used (default 0: all).
# Needs: cmake, g++, the -dev packages of scripts/install-deps.sh minus Qt and VTK (no GUI is
# built), nvcc for the CUDA LibTorch's CMake config, and a LibTorch built with the C++11 ABI
# (PyTorch wheels from 2.7 on, or the "cxx11 ABI" LibTorch download).
# `--device cpu --torch-dir /usr/lib/x86_64-linux-gnu/cmake/Torch` runs the same check on the
# CPU with Debian's LibTorch, which is how the script itself is tested without a GPU.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
torch_dir="${Torch_DIR:-}"
device="cuda:0"
build="$here/build/gpu"
epochs=3
trials=3
data=""
subset=0
while [ $# -gt 0 ]; do
    case "$1" in
    --torch-dir) torch_dir="$2"; shift 2 ;;
    --device) device="$2"; shift 2 ;;
    --build-dir) build="$2"; shift 2 ;;
    --epochs) epochs="$2"; shift 2 ;;
    --trials) trials="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --subset) subset="$2"; shift 2 ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "gpu-check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

fail() { echo "gpu-check: $*" >&2; exit 1; }

if [ -z "$torch_dir" ]; then
    prefix="$(python3 -c 'import torch.utils; print(torch.utils.cmake_prefix_path)' 2>/dev/null)" ||
        fail "no LibTorch: pass --torch-dir DIR (the folder with TorchConfig.cmake) or install PyTorch for python3"
    torch_dir="$prefix/Torch"
    abi="$(python3 -c 'import torch; print(int(torch.compiled_with_cxx11_abi()))')"
    [ "$abi" = 1 ] || fail "the PyTorch in $(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))') uses the old C++ ABI (_GLIBCXX_USE_CXX11_ABI=0), which cannot link with Debian's libraries; use PyTorch >= 2.7 or the cxx11-ABI LibTorch download"
fi
[ -f "$torch_dir/TorchConfig.cmake" ] || fail "no TorchConfig.cmake in $torch_dir"
echo "== LibTorch: $torch_dir"
if [[ "$device" == cuda* ]]; then
    command -v nvidia-smi >/dev/null && nvidia-smi -L || echo "(nvidia-smi not found)"
fi

echo "== build (no GUI, no tests) in $build"
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPS_BUILD_GUI=OFF -DPS_BUILD_TESTS=OFF \
    -DPS_BUILD_BENCH=OFF -DTorch_DIR="$torch_dir" >"$build.configure.log" 2>&1 ||
    { tail -30 "$build.configure.log"; fail "cmake configure failed (log: $build.configure.log)"; }
cmake --build "$build" -j "$(nproc)" --target paramscope-worker paramscope-cli >"$build.build.log" 2>&1 ||
    { tail -30 "$build.build.log"; fail "build failed (log: $build.build.log)"; }

work="$(mktemp -d /tmp/paramscope-gpu-check.XXXXXX)"
if [ -z "$data" ]; then
    if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
        data=/usr/share/datasets/fashion-mnist
    else
        data="$work/data"
        echo "== no Fashion-MNIST here: generating a synthetic look-alike in $data"
        python3 - "$data" <<'EOF'
# 20,000 training and 4,000 test images, 28x28, ten classes: a seeded template per class plus
# noise, written as Fashion-MNIST's gzipped IDX files.
import gzip, os, random, struct, sys
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = random.Random(0)
templates = [bytes(rng.choice((0, 0, 60, 200)) for _ in range(784)) for _ in range(10)]
def write(prefix, count):
    labels = bytes(rng.randrange(10) for _ in range(count))
    noise = bytes(rng.randrange(56) for _ in range(784 * 64))
    images = bytearray()
    for i, label in enumerate(labels):
        start = (i * 7919) % (784 * 63)
        images += bytes(min(255, t + n) for t, n in zip(templates[label], noise[start:start + 784]))
    with gzip.open(os.path.join(out, prefix + "-images-idx3-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">IIII", 2051, count, 28, 28) + bytes(images))
    with gzip.open(os.path.join(out, prefix + "-labels-idx1-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">II", 2049, count) + labels)
write("train", 20000)
write("t10k", 4000)
EOF
    fi
fi

study() { # name, model block
    cat >"$work/$1.yaml" <<EOF
name: gpu-check-$1
storage: sqlite://$work/$1.db
task:
  kind: classify
  dataset: {name: fashion-mnist, path: $data, subset: $subset}
  model: $2
  optimizer: {kind: adam, lr: 1.0e-3}
  epochs: $epochs
  batch_size: 256
  device: $device
  precision: auto
space:
  optimizer.lr: {type: float, low: 3.0e-4, high: 3.0e-3, log: true}
objectives:
  - {metric: val_loss, direction: minimize}
sampler: {kind: random, seed: 1}
budget: {trials: $trials, parallel: 1}
executor: {kind: local, workers: 1}
EOF
    echo "== study $1: $trials trials x $epochs epochs on $device"
    "$build/bin/paramscope-cli" run "$work/$1.yaml"
    python3 - "$work/$1.db" <<'EOF'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(f"{'trial':>5} {'state':>9} {'train samp/s':>13} {'eval samp/s':>12} {'overhead':>9} {'test acc':>9}")
fmt = lambda v, f: format(v, f) if isinstance(v, (int, float)) else "-"
device = None
for n, state, reason, values, system in db.execute(
        "SELECT number, state, fail_reason, values_json, system FROM trials ORDER BY number"):
    v = json.loads(values or "{}")
    over = v.get("step_overhead")
    print(f"{n:>5} {state:>9} {fmt(v.get('train_samples_per_s'), '13.0f')} "
          f"{fmt(v.get('eval_samples_per_s'), '12.0f')} "
          f"{fmt(over * 100 if over is not None else None, '8.2f')}% {fmt(v.get('test_acc'), '9.4f')}"
          + (f"  {reason}" if reason else ""))
    log = json.loads(system or "{}").get("log")
    if log and device is None:
        with open(log) as f:
            device = f.readline().strip()
if device:
    print("trial log:", device)
EOF
}

study mlp "{kind: mlp, width: 1024, depth: 3}"
study cnn "{kind: cnn, width: 64, depth: 2}"
echo "== done; studies and logs in $work"
