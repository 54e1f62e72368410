"Cases of the image family (00c_images): odd image files reach every job converted correctly"
import numpy as np
from PIL import Image

def case_16bit_grayscale_png_is_not_white(tmp):
    from shape_sparsity.images import open_image
    Image.fromarray(np.full((16, 16), 20000, np.uint16)).save(tmp/"g.png")
    m = np.asarray(open_image(tmp/"g.png")).mean()
    assert abs(m - 20000 / 257) < 1, f"a 16-bit grey of 20000/65535 opened with mean {m:.1f}, expected ~78"

def _png_header(path, w, h):
    "A PNG that declares `w` x `h` pixels (PIL refuses to open it before decoding: a decompression bomb)"
    import struct, zlib
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))

def case_sweep_decompression_bomb(tmp):
    "issue 26 #9: a 30000x30000 PNG in the cue-conflict folder: sweep crashed with DecompressionBombError's traceback"
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent.parent))
    from user_cases import run
    from shape_sparsity.testing import test_data_path
    src, cc = test_data_path("cue-conflict"), tmp/"cc"
    for d in sorted(p for p in src.iterdir() if p.is_dir()):
        (cc/d.name).mkdir(parents=True)
        for f in sorted(d.iterdir()): (cc/d.name/f.name).symlink_to(f)
    bomb = sorted((cc/"airplane").iterdir())[0]; bomb.unlink()  # the first image the sweep reads
    _png_header(bomb, 30000, 30000)
    run("sweep", "--ks", "0.2", "--cue-conflict", cc, "--size", "64", "--backend", "torch", "--quiet",
        "--out", tmp/"s").one_line_error(bomb.name, "decompression bomb")
