"""PyTorch side of bench/throughput.ts: a persistent worker timing training steps (forward + backward + Adam).

Reads one JSON command per line on stdin: {"model": "mlp"|"cnn", "batch": N, "steps": K, "warmup": W}, builds
the model and random data, runs W untimed and K timed steps, and answers one JSON line {"times": [ms, ...]}.
Threads: 2 (torch.set_num_threads). Run with Debian's /usr/bin/python3 (python3-torch + libopenblas0).
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
torch.manual_seed(0)


def build(model):
    if model == "mlp":
        return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 256), nn.ReLU(), nn.Linear(256, 10)), (784,)
    if model == "cnn":
        net = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 12 * 12, 128), nn.ReLU(), nn.Linear(128, 10),
        )
        return net, (1, 28, 28)
    raise ValueError(f"unknown model {model!r}")


def run(cmd):
    net, shape = build(cmd["model"])
    batch = cmd["batch"]
    x = torch.randn(batch, *shape)
    y = torch.randint(0, 10, (batch,))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    times = []
    for i in range(cmd.get("warmup", 2) + cmd["steps"]):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        loss.item()
        if i >= cmd.get("warmup", 2):
            times.append((time.perf_counter() - t0) * 1000.0)
    return times


def main():
    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "blas": torch.__config__.show().count("BLAS")}), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        print(json.dumps({"times": run(json.loads(line))}), flush=True)


if __name__ == "__main__":
    main()
