"Cases of the comparison app's inputs (11a_app.widgets, 05c_data.cue_conflict, 04_models): odd image files are seen as a user sees them"
import numpy as np
from PIL import Image

GREY = 20000  # a 16-bit grey: 20000 / 65535 of white, about 78 in 8 bits

def _grey16(path, side=32):
    Image.fromarray(np.full((side, side), GREY, np.uint16)).save(path)
    return path

def case_cue_conflict_loader_reads_16bit_png(tmp):
    "A cue-conflict stimulus saved as a 16-bit grey PNG is evaluated as grey, not as a white square"
    from shape_sparsity.data.cue_conflict import cue_conflict_dl
    from shape_sparsity.models import Preprocess
    (tmp/"cat").mkdir()
    _grey16(tmp/"cat"/"cat1-elephant1.png")
    xb, _ = next(iter(cue_conflict_dl(tmp, size=32, bs=1, raw=True, preprocess=Preprocess(32, 32, (0.5,) * 3, (0.5,) * 3))))
    m = xb.float().mean().item()
    assert abs(m - GREY / 257) < 1.5, f"the loader saw a 16-bit grey of ~78 as mean {m:.1f}"

def case_model_input_reads_16bit_png(tmp):
    "The app's `model_input` and a network's `Preprocess` read a 16-bit grey PNG as grey"
    from shape_sparsity.app.widgets import model_input
    from shape_sparsity.models import Preprocess
    p = _grey16(tmp/"g.png")
    pre = Preprocess(32, 32, (0.0,) * 3, (1 / 255,) * 3)  # normalized values = the 0..255 pixel values
    for what, x in [("model_input", model_input(p, pre)), ("Preprocess(PIL image)", pre(Image.open(p)))]:
        m = x.mean().item()
        assert abs(m - GREY / 257) < 1.5, f"{what} saw a 16-bit grey of ~78 as mean {m:.1f}"
