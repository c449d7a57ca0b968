"""PyTorch CPU throughput of ConvMixer-256/8 (the PyTorch column of bench/engine.ts).

Builds golden/generate/convmixer.py's conv_mixer(256, 8, 9, 4), eval mode,
random normal inputs of 32x32x3, and times forward passes in two modes:

  inference_mode  torch.inference_mode(), in a process where no forward pass
                  has run with autograd enabled yet;
  after-autograd  the same, after ONE forward pass with autograd enabled
                  (torch 1.13 on CPU then takes a faster oneDNN path for the
                  rest of the process; a fair benchmark reports both).

For every thread count and batch size: one untimed warm-up pass, then the
best of --repeat timed passes over --images images. Prints one JSON object
per line: {"mode", "threads", "batch", "images", "seconds", "cpu_seconds",
"images_per_s"},
preceded by {"torch": version, "threads_default": n}.

  /usr/bin/python3 bench/torch_bench.py --batch 32,256 --threads 1,2 --images 512 --repeat 3
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden", "generate"))
from convmixer import conv_mixer  # noqa: E402


def int_list(text):
    values = [int(v) for v in text.split(",") if v.strip()]
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive integers separated by commas, got {text!r}")
    return values


def time_passes(model, images, batch, repeat):
    """Best wall time over `repeat` passes of all images in chunks of `batch`, and the CPU time of that pass."""
    with torch.inference_mode():
        model(images[:batch])  # warm-up
        best, best_cpu = float("inf"), 0.0
        for _ in range(repeat):
            cpu = time.process_time()
            start = time.perf_counter()
            for i in range(0, images.shape[0], batch):
                model(images[i : i + batch])
            wall = time.perf_counter() - start
            if wall < best:
                best, best_cpu = wall, time.process_time() - cpu
    return best, best_cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int_list, default=[32])
    parser.add_argument("--threads", type=int_list, default=[1, 2])
    parser.add_argument("--images", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    torch.manual_seed(0)
    model = conv_mixer(256, 8, 9, 4).eval()
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            # random statistics, as the TypeScript bench's random weights have
            module.running_mean.uniform_(-0.5, 0.5)
            module.running_var.uniform_(0.5, 2.0)
    images = torch.randn(args.images, 3, 32, 32)
    print(json.dumps({"torch": torch.__version__, "threads_default": torch.get_num_threads()}), flush=True)

    def run(mode):
        for threads in args.threads:
            torch.set_num_threads(threads)
            for batch in args.batch:
                seconds, cpu_seconds = time_passes(model, images, batch, args.repeat)
                print(
                    json.dumps(
                        {
                            "mode": mode,
                            "threads": threads,
                            "batch": batch,
                            "images": args.images,
                            "seconds": seconds,
                            "cpu_seconds": cpu_seconds,
                            "images_per_s": args.images / seconds,
                        }
                    ),
                    flush=True,
                )

    run("inference_mode")
    # One forward pass with autograd enabled (no backward): afterwards torch 1.13 runs inference faster on CPU.
    with torch.enable_grad():
        model(images[: args.batch[0]]).sum()
    run("after-autograd")


if __name__ == "__main__":
    main()
