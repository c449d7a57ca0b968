#!/usr/bin/env bash
# Checks that --checkpoint/--resume gives the same golden files, bit for bit, as one uninterrupted run:
# a small configuration trained three ways (uninterrupted; stopped after epoch 1 and again after epoch 2,
# resumed each time), then every file but provenance.json compared by sha256. Needs PyTorch and CIFAR-10
# (--data, as generate.py). Usage: golden/generate/check-resume.sh [WORKDIR] [extra generate.py options]
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-$(mktemp -d)}; shift || true
py=${PYTHON:-python3}
common=(--device cpu --threads 2 --epochs 3 --batch 64 --train-limit 512 --lr 0.005 --wrong-key-images 50 "$@")
"$py" golden/generate/generate.py "${common[@]}" --checkpoint "$work/ck-whole" --out "$work/whole"
"$py" golden/generate/generate.py "${common[@]}" --checkpoint "$work/ck-split" --stop-after-epoch 1 --out "$work/split"
"$py" golden/generate/generate.py "${common[@]}" --checkpoint "$work/ck-split" --stop-after-epoch 2 --resume --out "$work/split"
"$py" golden/generate/generate.py "${common[@]}" --checkpoint "$work/ck-split" --resume --out "$work/split"
status=0
for f in model.safetensors encrypted-embeddings.safetensors system-c-matrices.safetensors ci-outputs.safetensors metrics.json; do
  a=$(sha256sum < "$work/whole/$f" | cut -c1-64); b=$(sha256sum < "$work/split/$f" | cut -c1-64)
  if [ "$a" = "$b" ]; then echo "same  $a  $f"; else echo "DIFFER $a $b  $f"; status=1; fi
done
tr -d ' \n' < "$work/split/provenance.json" | grep -o '"resumedAt":\[[^]]*\]' || true
[ $status = 0 ] && echo "bit for bit: the resumed run equals the uninterrupted one" || echo "the resumed run differs"
exit $status
