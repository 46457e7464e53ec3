#!/usr/bin/env python3
"""A toy training script run by ParamScope's command task (resources/examples/command.yaml).

It fits y = 3x - 1 + noise with a linear model trained by mini-batch SGD with momentum, using
only the standard library. ParamScope passes the learning rate on the command line and the
whole trial as JSON in the file named by PARAMSCOPE_PARAMS_FILE. The script prints one JSON
line per epoch on standard output (the metrics) and writes its log to standard error.
"""

import argparse
import json
import math
import os
import random
import sys


def log(message):
    print(message, file=sys.stderr, flush=True)


def mse(w, b, data):
    return sum((w * x + b - y) ** 2 for x, y in data) / len(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--epochs", type=int, default=9)
    args = parser.parse_args()
    with open(os.environ["PARAMSCOPE_PARAMS_FILE"]) as f:
        params = json.load(f)["params"]
    momentum = params.get("momentum", 0.0)
    batch = int(params.get("batch_size", 16))

    rng = random.Random(0)
    xs = [rng.uniform(-2, 2) for _ in range(600)]
    data = [(x, 3 * x - 1 + rng.gauss(0, 0.3)) for x in xs]
    train, val = data[:500], data[500:]

    w = b = vw = vb = 0.0
    for epoch in range(1, args.epochs + 1):
        rng.shuffle(train)
        for i in range(0, len(train), batch):
            chunk = train[i : i + batch]
            gw = sum(2 * (w * x + b - y) * x for x, y in chunk) / len(chunk)
            gb = sum(2 * (w * x + b - y) for x, y in chunk) / len(chunk)
            vw = momentum * vw - args.lr * gw
            vb = momentum * vb - args.lr * gb
            w, b = w + vw, b + vb
            if not (math.isfinite(w) and math.isfinite(b)) or abs(w) > 1e6:
                log(f"epoch {epoch}: diverged (lr={args.lr:g}, momentum={momentum:.2f})")
                sys.exit(1)  # ParamScope fails the trial with the end of this log as reason
        val_loss = mse(w, b, val)
        print(json.dumps({"step": epoch, "loss": mse(w, b, train), "val_loss": val_loss}),
              flush=True)
        log(f"epoch {epoch}: w={w:.3f} b={b:.3f} val_loss={val_loss:.4f}")
    # A line without "step" holds the final metrics.
    print(json.dumps({"val_loss": val_loss, "w": w, "b": b}), flush=True)


if __name__ == "__main__":
    main()
