"""System B's block-wise transforms (MaungMaung & Kiya 2021) in PyTorch, exactly as cipherpatch's TypeScript variants compute them.

Keys are the TypeScript variants' key files (format "cipherpatch-variant-key",
made by golden/generate/make-system-b-keys.ts); Python never invents keys.
A block of M x M x C values is flattened (channel, row, column), one key for
every block. The model input, float64 arithmetic rounded once to float32:

  shuffle  x'[k] = x[permutation[k]] on the 8-bit values, then (2x' - 255)/255
  negpos   u = x/255, then 1 - u where flip[k] = 1, then (u - 0.5)/0.5
  ffx      u = table[x]/max(table) where flip[k] = 1, else x/255, then (u - 0.5)/0.5
           table[v] = FFX(v), the pyffx cipher (radix 10, 3 digits, HMAC-SHA1, 10 rounds, keyed by the password)
  plain    (2x - 255)/255 (Eq. 7, what every cipherpatch engine applies to 8-bit images)

These are src/variants/builtin/{systemA,systemB}.ts + src/variants/accuracy.ts
(encryptToModelInput: unit values as (u - 0.5)/0.5, 8-bit values as
(2x - 255)/255); golden/systemBTransforms.test.ts proves the two agree byte for
byte on golden/vectors/system-b-transforms.json.
"""
import hashlib
import hmac
import json
import struct
from pathlib import Path

import torch

from images import from_blocks, normalize, to_blocks

VARIANT_KEY_FORMAT = "cipherpatch-variant-key"
TRANSFORMS = ("shuffle", "negpos", "ffx")
FFX_ROUNDS = 10


# --------------------------------------------------------------------------- FFX (pyffx as the authors ran it)

def _round_digits(password, i, digits, count):
    """Digits of HMAC-SHA1(password, i || digits || 0), each a 4-byte little-endian uint, least significant first."""
    msg = struct.pack("<I", i) + b"".join(struct.pack("<I", d) for d in digits) + struct.pack("<I", 0)
    d = int.from_bytes(hmac.new(password.encode("utf-8"), msg, hashlib.sha1).digest(), "big")
    out = []
    for _ in range(count):
        out.append(d % 10)
        d //= 10
    return out


def ffx_encrypt(password, v, rounds=FFX_ROUNDS):
    """pyffx Integer(radix 10, length 3): 3 digits, a = first digit, b = the other two; c = a + F(i, b) digitwise mod 10."""
    digits = [v // 100 % 10, v // 10 % 10, v % 10]
    a, b = digits[:1], digits[1:]
    for i in range(rounds):
        f = _round_digits(password, i, b, len(a))
        c = [(x + y) % 10 for x, y in zip(a, f)]
        a, b = b, c
    out = a + b
    return out[0] * 100 + out[1] * 10 + out[2]


_TABLES = {}


def ffx_pixel_table(password):
    """table[v] = FFX(v) for v = 0..255, and max(table)."""
    if password not in _TABLES:
        table = [ffx_encrypt(password, v) for v in range(256)]
        _TABLES[password] = (torch.tensor(table, dtype=torch.float64), max(table))
    return _TABLES[password]


# --------------------------------------------------------------------------- keys

def validate_key(k, where, transform=None, block_size=4, channels=3):
    """A parsed variant key; raises SystemExit naming the problem."""
    if not isinstance(k, dict) or k.get("format") != VARIANT_KEY_FORMAT:
        raise SystemExit(f"{where}: not a cipherpatch variant key (format {VARIANT_KEY_FORMAT!r})")
    variant = k.get("variant")
    if variant not in TRANSFORMS:
        raise SystemExit(f"{where}: variant {variant!r} is not a System B transform ({', '.join(TRANSFORMS)})")
    if transform is not None and variant != transform:
        raise SystemExit(f"{where}: key is for {variant!r}, expected {transform!r}")
    if k.get("blockSize") != block_size or k.get("channels") != channels:
        raise SystemExit(f"{where}: key is for block size {k.get('blockSize')}, {k.get('channels')} channels; expected {block_size}, {channels}")
    pb = block_size * block_size * channels
    if variant == "shuffle":
        if sorted(k.get("permutation", [])) != list(range(pb)):
            raise SystemExit(f"{where}: permutation is not a permutation of 0..{pb - 1}")
    else:
        flip = k.get("flip", [])
        ones = pb - 1 - pb // 2
        if len(flip) != pb or set(flip) - {0, 1} or sum(flip) != ones:
            raise SystemExit(f"{where}: flip must be {pb} values 0/1 with {ones} ones (the authors' randperm(p_b) > p_b/2)")
        if variant == "ffx" and not isinstance(k.get("password"), str):
            raise SystemExit(f"{where}: ffx key needs a string password")
    return k


def read_key(path, transform=None):
    return validate_key(json.loads(Path(path).read_text()), str(path), transform)


def read_key_list(path, transform):
    j = json.loads(Path(path).read_text())
    if j.get("format") != "cipherpatch-variant-key-list" or j.get("variant") != transform or not isinstance(j.get("keys"), list):
        raise SystemExit(f"{path}: not a cipherpatch variant key list for {transform!r}")
    return [validate_key(k, f"{path}[{i}]", transform) for i, k in enumerate(j["keys"])]


# --------------------------------------------------------------------------- transforms

def transform_unit(x_u8, key):
    """The transform's output in its own domain: uint8 (shuffle) or [0, 1] float64 (negpos, ffx), NCHW."""
    m, c = key["blockSize"], key["channels"]
    variant = key["variant"]
    b = to_blocks(x_u8, m)
    if variant == "shuffle":
        perm = torch.tensor(key["permutation"], dtype=torch.int64, device=x_u8.device)
        return from_blocks(b[..., perm], c, m)
    flip = torch.tensor(key["flip"], dtype=torch.bool, device=x_u8.device)
    u = b.double() / 255
    if variant == "negpos":
        out = torch.where(flip, 1 - u, u)
    else:
        table, top = ffx_pixel_table(key["password"])
        out = torch.where(flip, table.to(x_u8.device)[b.long()] / top, u)
    return from_blocks(out, c, m)


def model_input(x_u8, key):
    """The float32 model input of 8-bit NCHW images under a System B key set (None: plain images)."""
    if key is None:
        return normalize(x_u8)
    t = transform_unit(x_u8, key)
    if key["variant"] == "shuffle":
        return normalize(t)
    return ((t - 0.5) / 0.5).float()
