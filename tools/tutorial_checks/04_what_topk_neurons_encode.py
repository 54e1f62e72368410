"The checks of nbs/tutorials/04_what_topk_neurons_encode.ipynb, each run right after the cell it names (tools/test_tutorials.py)"
from fastcore.test import *

# %% after 70631380
test_eq([tuple(s.shape) for s in share], [(32, 32), (16, 16)])
test_close(float(share[1].mean()), int(0.05 * 256) / 256, eps=0.01)  # 12 of the 256 positions per channel, on average

# %% after fcbc791c
test_eq([len(r) for r in rows], [4, 4, 4])
assert (losses.topk > losses["all"]).all()  # the Top-K statistics are the hardest to match (see below)

# %% after d5c0c5af
test_eq(len(small), 3 + 3 * 3)
test_eq(list(summarize_study(small).index), [0, 1, 2, 3])
test_eq(summarize_study(small).neurons.tolist(), ["source", "all", "topk", "non_topk"])
