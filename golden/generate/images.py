"""Image helpers shared by the golden generators (generate.py, system_b_transforms.py): Eq. (7)
normalization of 8-bit images and block-wise views.

A block is an M x M tile of every channel, flattened (channel, row, column),
as cipherpatch's block transforms index it.
"""


def normalize(x_u8):
    """Eq. (7) of x/255 as (2x - 255)/255 in float64, rounded once to float32: exact sign symmetry under x -> 255 - x."""
    return ((2 * x_u8.double() - 255) / 255).float()


def to_blocks(x, m):
    """(N, C, H, W) -> (N, H/M, W/M, C*M*M), each block flattened (channel, row, column)."""
    n, c, h, w = x.shape
    return x.reshape(n, c, h // m, m, w // m, m).permute(0, 2, 4, 1, 3, 5).reshape(n, h // m, w // m, c * m * m)


def from_blocks(b, c, m):
    """The inverse of to_blocks: (N, H/M, W/M, C*M*M) -> (N, C, H, W)."""
    n, hb, wb, _ = b.shape
    return b.reshape(n, hb, wb, c, m, m).permute(0, 3, 1, 4, 2, 5).reshape(n, c, hb * m, wb * m)
