"Cases of the image family (00c_images): odd image files reach every job converted correctly"
import numpy as np
from PIL import Image

def case_16bit_grayscale_png_is_not_white(tmp):
    from shape_sparsity.images import open_image
    Image.fromarray(np.full((16, 16), 20000, np.uint16)).save(tmp/"g.png")
    m = np.asarray(open_image(tmp/"g.png")).mean()
    assert abs(m - 20000 / 257) < 1, f"a 16-bit grey of 20000/65535 opened with mean {m:.1f}, expected ~78"
