"""A heatmap as a PNG file with numpy and zlib only (the CLI has no Qt, PIL or matplotlib).

Colour maps are given by a few anchor colours and interpolated linearly to 256 entries; the
anchors are sampled from matplotlib's perceptually uniform maps, so the CLI's picture matches
the panel's.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import numpy as np

# Nine evenly spaced samples of each map, from 0 to 1.
_ANCHORS: dict[str, list[str]] = {
    "viridis": ["440154", "472c7a", "3b518b", "2c718e", "21908d", "27ad81", "5cc863", "aadc32", "fde725"],
    "magma": ["000004", "1c1044", "4f127b", "812581", "b5367a", "e55064", "fb8761", "fec287", "fcfdbf"],
    "inferno": ["000004", "1f0c48", "550f6d", "88226a", "ba3655", "e35933", "f98e09", "f8c932", "fcffa4"],
    "plasma": ["0d0887", "4c02a1", "7e03a8", "a92395", "cc4778", "e66c5c", "f89540", "fdc527", "f0f921"],
    "greys": ["ffffff", "f0f0f0", "d9d9d9", "bdbdbd", "969696", "737373", "525252", "252525", "000000"],
}
COLOURMAPS: tuple[str, ...] = tuple(_ANCHORS)


def colour_lut(name: str = "viridis", size: int = 256) -> np.ndarray:
    """``[size, 3]`` uint8 colours of the map ``name``."""
    try:
        anchors = _ANCHORS[name]
    except KeyError:
        raise ValueError(f"Unknown colour map {name!r}; choose one of {', '.join(COLOURMAPS)}.") from None
    rgb = np.array([[int(h[i : i + 2], 16) for i in (0, 2, 4)] for h in anchors], dtype=np.float64)
    stops = np.linspace(0.0, 1.0, len(anchors))
    x = np.linspace(0.0, 1.0, size)
    return np.stack([np.interp(x, stops, rgb[:, c]) for c in range(3)], axis=1).round().astype(np.uint8)


def to_rgb(matrix: np.ndarray, levels: tuple[float, float] | None = None, colourmap: str = "viridis") -> np.ndarray:
    """Map a 2-D array to ``[rows, cols, 3]`` uint8 through a colour map (``levels``: low, high)."""
    low, high = levels if levels is not None else (0.0, float(matrix.max()) if matrix.size else 1.0)
    span = high - low if high > low else 1.0
    index = np.clip((matrix - low) / span, 0.0, 1.0) * 255.0
    return colour_lut(colourmap)[index.round().astype(np.uint8)]


def encode_png(rgb: np.ndarray) -> bytes:
    """A truecolour 8-bit PNG of ``[height, width, 3]`` uint8 pixels."""
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError("encode_png expects a [height, width, 3] uint8 array")
    height, width = rgb.shape[:2]
    # Each scanline starts with filter type 0 (none).
    raw = np.concatenate([np.zeros((height, 1), np.uint8), rgb.reshape(height, width * 3)], axis=1).tobytes()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


def write_heatmap_png(
    matrix: np.ndarray,
    path: str | os.PathLike[str],
    *,
    cell: int = 0,
    levels: tuple[float, float] | None = None,
    colourmap: str = "viridis",
) -> Path:
    """Write ``matrix`` (query rows, key columns) as a PNG, each cell a ``cell`` x ``cell`` block.

    ``cell=0`` picks a size that makes the picture about 512 pixels wide. No axis labels:
    text needs a font renderer, which the CLI does without; the JSON export has the tokens.
    """
    if matrix.ndim != 2:
        raise ValueError("write_heatmap_png expects a 2-D matrix")
    size = cell or max(1, 512 // max(1, matrix.shape[1]))
    rgb = to_rgb(matrix, levels, colourmap)
    rgb = np.repeat(np.repeat(rgb, size, axis=0), size, axis=1)
    target = Path(path)
    temp = target.with_name(f".{target.name}.tmp")
    temp.write_bytes(encode_png(rgb))
    os.replace(temp, target)
    return target
