;; System A block transform of 8-bit images (Eqs. 4-5) with WebAssembly SIMD,
;; for block size M = 4 and C = 3 channels (p_b = 48 bytes per block).
;;
;; One call transforms whole images from $src to $dst (both in the imported
;; memory, not overlapping). Every block gets the same permutation and flip,
;; held as 12 constant vectors per layout: 9 byte-swizzle masks and 3 flip
;; vectors. This file is a TEMPLATE: each constant is a placeholder
;;   c1 9e 7a 5b L S  c1 9e 7a 5b L S  c1 9e 7a 5b   (L: 0 NHWC, 1 NCHW; S: slot 0-11)
;; that src/core/blockTransformSimd.ts overwrites with a key's vectors before
;; compiling, so the compiler sees constant masks (a swizzle by a constant
;; mask is a single byte shuffle; by a variable one it needs an extra add).
;; Slot (v*3 + v') is the mask of output vector v from input vector v',
;; slot 9 + v the flip vector of output vector v:
;;
;;   out_v = (swizzle(in_0, mask_v0) | swizzle(in_1, mask_v1) | swizzle(in_2, mask_v2)) ^ flip_v
;;
;; i8x16.swizzle gives 0 for a mask lane >= 16 (0x80 in the masks), so each
;; output byte is picked from exactly one input vector; the flip lane is 0xFF
;; where r_k = 1 (Eq. 5: 255 - x = x XOR 0xFF for 8-bit x) and 0 elsewhere.
;; Decryption is the same kernel with the vectors of the inverse block map.
;;
;; Regenerate the committed binary after editing: npm run wasm:build
(module
  (import "env" "memory" (memory 1))

  ;; NHWC: a block is 4 pixel rows of 4·3 = 12 contiguous bytes, $stride = W·C
  ;; apart. Its 48 bytes are packed into 3 vectors in row order (byte u = 12i + t
  ;; of the block is lane u mod 16 of vector floor(u / 16)):
  ;;   V0 = row 0 [0, 12) | row 1 [0, 4)
  ;;   V1 = row 1 [4, 12) | row 2 [0, 8)
  ;;   V2 = row 2 [8, 12) | row 3 [0, 12)
  ;; each from one 16- or 8-byte load plus one lane load; the loads read only
  ;; bytes of the images (row 3 is loaded from 4 bytes before it: the end of
  ;; row 2 or of the previous block). Output vectors are packed the same way and
  ;; stored with 8- and 4-byte lane stores.
  ;; $blockRows = N·H/4: consecutive images continue the same row pattern.
  (func (export "nhwc_m4c3") (param $src i32) (param $dst i32)
        (param $blockRows i32) (param $stride i32)
    (local $m00 v128) (local $m01 v128) (local $m02 v128)
    (local $m10 v128) (local $m11 v128) (local $m12 v128)
    (local $m20 v128) (local $m21 v128) (local $m22 v128)
    (local $f0 v128) (local $f1 v128) (local $f2 v128)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $o v128)
    (local $p i32) (local $q i32) (local $end i32) (local $rowEnd i32)
    (local $stride2 i32) (local $stride3 i32)
    (local.set $m00 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 0 0 0xc1 0x9e 0x7a 0x5b 0 0 0xc1 0x9e 0x7a 0x5b))
    (local.set $m01 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 0 1 0xc1 0x9e 0x7a 0x5b 0 1 0xc1 0x9e 0x7a 0x5b))
    (local.set $m02 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 0 2 0xc1 0x9e 0x7a 0x5b 0 2 0xc1 0x9e 0x7a 0x5b))
    (local.set $m10 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 0 3 0xc1 0x9e 0x7a 0x5b 0 3 0xc1 0x9e 0x7a 0x5b))
    (local.set $m11 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 0 4 0xc1 0x9e 0x7a 0x5b 0 4 0xc1 0x9e 0x7a 0x5b))
    (local.set $m12 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 0 5 0xc1 0x9e 0x7a 0x5b 0 5 0xc1 0x9e 0x7a 0x5b))
    (local.set $m20 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 0 6 0xc1 0x9e 0x7a 0x5b 0 6 0xc1 0x9e 0x7a 0x5b))
    (local.set $m21 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 0 7 0xc1 0x9e 0x7a 0x5b 0 7 0xc1 0x9e 0x7a 0x5b))
    (local.set $m22 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 0 8 0xc1 0x9e 0x7a 0x5b 0 8 0xc1 0x9e 0x7a 0x5b))
    (local.set $f0 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 0 9 0xc1 0x9e 0x7a 0x5b 0 9 0xc1 0x9e 0x7a 0x5b))
    (local.set $f1 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 0 10 0xc1 0x9e 0x7a 0x5b 0 10 0xc1 0x9e 0x7a 0x5b))
    (local.set $f2 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 0 11 0xc1 0x9e 0x7a 0x5b 0 11 0xc1 0x9e 0x7a 0x5b))
    (local.set $stride2 (i32.shl (local.get $stride) (i32.const 1)))
    (local.set $stride3 (i32.mul (local.get $stride) (i32.const 3)))
    (local.set $p (local.get $src))
    (local.set $q (local.get $dst))
    (local.set $end (i32.add (local.get $src) (i32.shl (i32.mul (local.get $blockRows) (local.get $stride)) (i32.const 2))))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $rowEnd (i32.add (local.get $p) (local.get $stride)))
        (loop $blocks
          (local.set $v0 (v128.load32_lane 3 (i32.add (local.get $p) (local.get $stride))
            (v128.load (local.get $p))))
          (local.set $v1 (v128.load64_lane 1 (i32.add (local.get $p) (local.get $stride2))
            (v128.load64_zero offset=4 (i32.add (local.get $p) (local.get $stride)))))
          (local.set $v2 (v128.load32_lane offset=8 0 (i32.add (local.get $p) (local.get $stride2))
            (v128.load offset=0 (i32.sub (i32.add (local.get $p) (local.get $stride3)) (i32.const 4)))))
          ;; output vector 0: row 0 [0, 12), row 1 [0, 4)
          (local.set $o (v128.xor (local.get $f0)
            (v128.or
              (v128.or (i8x16.swizzle (local.get $v0) (local.get $m00)) (i8x16.swizzle (local.get $v1) (local.get $m01)))
              (i8x16.swizzle (local.get $v2) (local.get $m02)))))
          (v128.store64_lane 0 (local.get $q) (local.get $o))
          (v128.store32_lane offset=8 2 (local.get $q) (local.get $o))
          (v128.store32_lane 3 (i32.add (local.get $q) (local.get $stride)) (local.get $o))
          ;; output vector 1: row 1 [4, 12), row 2 [0, 8)
          (local.set $o (v128.xor (local.get $f1)
            (v128.or
              (v128.or (i8x16.swizzle (local.get $v0) (local.get $m10)) (i8x16.swizzle (local.get $v1) (local.get $m11)))
              (i8x16.swizzle (local.get $v2) (local.get $m12)))))
          (v128.store64_lane offset=4 0 (i32.add (local.get $q) (local.get $stride)) (local.get $o))
          (v128.store64_lane 1 (i32.add (local.get $q) (local.get $stride2)) (local.get $o))
          ;; output vector 2: row 2 [8, 12), row 3 [0, 12)
          (local.set $o (v128.xor (local.get $f2)
            (v128.or
              (v128.or (i8x16.swizzle (local.get $v0) (local.get $m20)) (i8x16.swizzle (local.get $v1) (local.get $m21)))
              (i8x16.swizzle (local.get $v2) (local.get $m22)))))
          (v128.store32_lane offset=8 0 (i32.add (local.get $q) (local.get $stride2)) (local.get $o))
          (v128.store32_lane 1 (i32.add (local.get $q) (local.get $stride3)) (local.get $o))
          (v128.store64_lane offset=4 1 (i32.add (local.get $q) (local.get $stride3)) (local.get $o))
          (local.set $p (i32.add (local.get $p) (i32.const 12)))
          (local.set $q (i32.add (local.get $q) (i32.const 12)))
          (br_if $blocks (i32.lt_u (local.get $p) (local.get $rowEnd))))
        ;; past the other 3 pixel rows of this block row
        (local.set $p (i32.add (local.get $p) (local.get $stride3)))
        (local.set $q (i32.add (local.get $q) (local.get $stride3)))
        (br $rows)))
  )

  ;; NCHW: a block is 3 channel planes × 4 rows × 4 contiguous bytes; rows are
  ;; $W apart, planes H·W apart. Each channel's 16 bytes are gathered into one
  ;; vector (lane 4i + j = row i, column j) with 32-bit lane loads and stored
  ;; back with 32-bit lane stores, so no byte outside the images is read.
  ;; (Doing two adjacent blocks with 8-byte loads and 32-bit shuffles measured
  ;; no faster.)
  (func (export "nchw_m4c3") (param $src i32) (param $dst i32)
        (param $images i32) (param $H i32) (param $W i32)
    (local $m00 v128) (local $m01 v128) (local $m02 v128)
    (local $m10 v128) (local $m11 v128) (local $m12 v128)
    (local $m20 v128) (local $m21 v128) (local $m22 v128)
    (local $f0 v128) (local $f1 v128) (local $f2 v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $o v128)
    (local $plane i32) (local $plane2 i32) (local $W2 i32) (local $W3 i32)
    (local $p i32) (local $q i32) (local $a i32) (local $end i32) (local $rowEnd i32) (local $planeEnd i32)
    (local.set $m00 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 1 0 0xc1 0x9e 0x7a 0x5b 1 0 0xc1 0x9e 0x7a 0x5b))
    (local.set $m01 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 1 1 0xc1 0x9e 0x7a 0x5b 1 1 0xc1 0x9e 0x7a 0x5b))
    (local.set $m02 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 1 2 0xc1 0x9e 0x7a 0x5b 1 2 0xc1 0x9e 0x7a 0x5b))
    (local.set $m10 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 1 3 0xc1 0x9e 0x7a 0x5b 1 3 0xc1 0x9e 0x7a 0x5b))
    (local.set $m11 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 1 4 0xc1 0x9e 0x7a 0x5b 1 4 0xc1 0x9e 0x7a 0x5b))
    (local.set $m12 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 1 5 0xc1 0x9e 0x7a 0x5b 1 5 0xc1 0x9e 0x7a 0x5b))
    (local.set $m20 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 1 6 0xc1 0x9e 0x7a 0x5b 1 6 0xc1 0x9e 0x7a 0x5b))
    (local.set $m21 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 1 7 0xc1 0x9e 0x7a 0x5b 1 7 0xc1 0x9e 0x7a 0x5b))
    (local.set $m22 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 1 8 0xc1 0x9e 0x7a 0x5b 1 8 0xc1 0x9e 0x7a 0x5b))
    (local.set $f0 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 1 9 0xc1 0x9e 0x7a 0x5b 1 9 0xc1 0x9e 0x7a 0x5b))
    (local.set $f1 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 1 10 0xc1 0x9e 0x7a 0x5b 1 10 0xc1 0x9e 0x7a 0x5b))
    (local.set $f2 (v128.const i8x16 0xc1 0x9e 0x7a 0x5b 1 11 0xc1 0x9e 0x7a 0x5b 1 11 0xc1 0x9e 0x7a 0x5b))
    (local.set $plane (i32.mul (local.get $H) (local.get $W)))
    (local.set $plane2 (i32.shl (local.get $plane) (i32.const 1)))
    (local.set $W2 (i32.shl (local.get $W) (i32.const 1)))
    (local.set $W3 (i32.mul (local.get $W) (i32.const 3)))
    (local.set $p (local.get $src))
    (local.set $q (local.get $dst))
    (local.set $end (i32.add (local.get $src) (i32.mul (i32.mul (local.get $images) (local.get $plane)) (i32.const 3))))
    (block $done
      (loop $images
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $planeEnd (i32.add (local.get $p) (local.get $plane)))
        (loop $rows
          (local.set $rowEnd (i32.add (local.get $p) (local.get $W)))
          (loop $blocks
            ;; gather: channel 0 at p, channel 1 at p + H·W, channel 2 at p + 2·H·W
            (local.set $a (local.get $p))
            (local.set $s0 (v128.load32_lane 3 (i32.add (local.get $a) (local.get $W3)) (v128.load32_lane 2 (i32.add (local.get $a) (local.get $W2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $W)) (v128.load32_zero (local.get $a))))))
            (local.set $a (i32.add (local.get $p) (local.get $plane)))
            (local.set $s1 (v128.load32_lane 3 (i32.add (local.get $a) (local.get $W3)) (v128.load32_lane 2 (i32.add (local.get $a) (local.get $W2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $W)) (v128.load32_zero (local.get $a))))))
            (local.set $a (i32.add (local.get $p) (local.get $plane2)))
            (local.set $s2 (v128.load32_lane 3 (i32.add (local.get $a) (local.get $W3)) (v128.load32_lane 2 (i32.add (local.get $a) (local.get $W2))
              (v128.load32_lane 1 (i32.add (local.get $a) (local.get $W)) (v128.load32_zero (local.get $a))))))
            ;; output channel 0
            (local.set $a (local.get $q))
            (local.set $o (v128.xor (local.get $f0)
              (v128.or
                (v128.or (i8x16.swizzle (local.get $s0) (local.get $m00)) (i8x16.swizzle (local.get $s1) (local.get $m01)))
                (i8x16.swizzle (local.get $s2) (local.get $m02)))))
            (v128.store32_lane 0 (local.get $a) (local.get $o))
            (v128.store32_lane 1 (i32.add (local.get $a) (local.get $W)) (local.get $o))
            (v128.store32_lane 2 (i32.add (local.get $a) (local.get $W2)) (local.get $o))
            (v128.store32_lane 3 (i32.add (local.get $a) (local.get $W3)) (local.get $o))
            ;; output channel 1
            (local.set $a (i32.add (local.get $q) (local.get $plane)))
            (local.set $o (v128.xor (local.get $f1)
              (v128.or
                (v128.or (i8x16.swizzle (local.get $s0) (local.get $m10)) (i8x16.swizzle (local.get $s1) (local.get $m11)))
                (i8x16.swizzle (local.get $s2) (local.get $m12)))))
            (v128.store32_lane 0 (local.get $a) (local.get $o))
            (v128.store32_lane 1 (i32.add (local.get $a) (local.get $W)) (local.get $o))
            (v128.store32_lane 2 (i32.add (local.get $a) (local.get $W2)) (local.get $o))
            (v128.store32_lane 3 (i32.add (local.get $a) (local.get $W3)) (local.get $o))
            ;; output channel 2
            (local.set $a (i32.add (local.get $q) (local.get $plane2)))
            (local.set $o (v128.xor (local.get $f2)
              (v128.or
                (v128.or (i8x16.swizzle (local.get $s0) (local.get $m20)) (i8x16.swizzle (local.get $s1) (local.get $m21)))
                (i8x16.swizzle (local.get $s2) (local.get $m22)))))
            (v128.store32_lane 0 (local.get $a) (local.get $o))
            (v128.store32_lane 1 (i32.add (local.get $a) (local.get $W)) (local.get $o))
            (v128.store32_lane 2 (i32.add (local.get $a) (local.get $W2)) (local.get $o))
            (v128.store32_lane 3 (i32.add (local.get $a) (local.get $W3)) (local.get $o))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (local.set $q (i32.add (local.get $q) (i32.const 4)))
            (br_if $blocks (i32.lt_u (local.get $p) (local.get $rowEnd))))
          ;; past the other 3 rows of this block row
          (local.set $p (i32.add (local.get $p) (local.get $W3)))
          (local.set $q (i32.add (local.get $q) (local.get $W3)))
          (br_if $rows (i32.lt_u (local.get $p) (local.get $planeEnd))))
        ;; past channel planes 1 and 2 of this image
        (local.set $p (i32.add (local.get $p) (local.get $plane2)))
        (local.set $q (i32.add (local.get $q) (local.get $plane2)))
        (br $images)))
  )
)
