"The checks of nbs/tutorials/02_shape_bias_pretrained_topk.ipynb, each run right after the cell it names (tools/test_tutorials.py)"
from fastcore.test import *

# %% after 04d7fba4
test_eq(len(items), 1280)
test_eq(int(items.same.sum()), 80)
test_eq(int((~items.same).sum()), 1200)

# %% after 885a4125
test_close(table.loc["humans", "shape_bias"], 0.9587, eps=1e-4)
test_close(table.loc["AlexNet", "shape_bias"], PUBLISHED[("alexnet", None)], eps=1e-4)
test_close(table.loc["VGG-16", "shape_bias"], PUBLISHED[("vgg16", None)], eps=1e-4)
test_eq(table.loc["humans", "n_trials"], 10 * 1200)

# %% after e4b62c7c
topk20 = lite.set_index("k").loc[0.2]
rand20 = rand.set_index(["mode", "k"])
test_eq(lite.k.tolist(), [1.0, 0.3, 0.2, 0.1])
# Top-K raises the shape bias of a real pretrained CNN
assert topk20.shape_bias > lite.set_index("k").loc[1.0].shape_bias + 0.1
for m in ("random", "random_rescaled"):  # random masks of the same size keep far fewer cue decisions than Top-K does
    assert rand20.loc[(m, 0.2)].cue_share < topk20.cue_share, rand

# %% after 12c8487d
r = official.set_index(["arch", "mode", "k"]).shape_bias
test_close([r["alexnet", "keep", 0.1], r["vgg16", "keep", 0.05], r["alexnet", "keep", 1.0], r["vgg16", "keep", 1.0]],
           [0.7195, 0.5842, 0.2394, 0.0795], eps=5e-5)
