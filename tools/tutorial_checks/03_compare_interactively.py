"The checks of nbs/tutorials/03_compare_interactively.ipynb, each run right after the cell it names (tools/test_tutorials.py)"
from fastcore.test import *
from shape_sparsity.evaluation.shape_bias import shape_bias

# %% after a58ea017
test_eq(list(r.results), ["Lite0 (dense)", "Lite0 (Top-K)"])
test_eq((r.style, r.strength, r.k), (0, 0.5, PRESET_K["efficientnet_lite0"]))
test_eq(r.stylized.size, r.image.size)
test_eq({res["input"] for res in r.results.values()}, {"224 px, bicubic, mean 0.5/0.5/0.5, std 0.5/0.5/0.5"})

# %% after 0cc0dcb2
test_eq(list(sweep.index), [0, 0.25, 0.5, 0.75, 1.0])
test_eq(all(d.split(" (")[0] in CATEGORIES for d in sweep.values.ravel()), True)
test_eq(app.last_result.strength, 1.0)

# %% after 4399faa4
test_eq(app.last_result.style, str(skin))
test_eq(app.style_picker.label, "elephant skin")
test_eq(app.last_result.image_label, "truck/truck2-airplane3.png")

# %% after 3c45cd41
app.k.value = 1.0
res = app.last_result.results
app.k.value = 0.1
b, a = app.last_result.maps("Lite0 (Top-K)")
per, anyc = kept_fractions(a)
test_eq(res["Lite0 (dense)"]["logits"], res["Lite0 (Top-K)"]["logits"])  # k = 1 is the dense network
test_close(per, 78 / 784, eps=1e-3)  # blocks.2 is 28 x 28: 78 positions per channel at k = 0.1
assert anyc > 0.5  # ... yet most positions are active in some channel
assert "kept per channel: <b>9.9% of positions</b>" in app.maps_view.value

# %% after ffaec8eb
test_eq(len(fig.axes), 8)
test_eq(app.last_result.results["Lite0 (Top-K)"]["layer"], "blocks.0")
test_eq(app.last_result.maps("Lite0 (Top-K)")[0].shape, (1, 16, 112, 112))

# %% after 8eae3d22
for name in ("humans", "AlexNet"):  # the panel shows the shape-bias chapter's numbers (humans 0.9587: its fact)
    if name in app.responses:
        test_close(app.last_bias.loc[name, "shape_bias"], shape_bias(app.responses[name], n_boot=0).shape_bias)
assert (app.last_bias.ci_low <= app.last_bias.shape_bias).all() and (
    app.last_bias.shape_bias <= app.last_bias.ci_high
).all()
assert "cue share" in app.bias_table.value and "95% CI" in app.bias_table.value
test_eq(len(app.bias_view.value) > 0, True)

# %% after 792450c1
test_eq(list(app2.last_result.results), ["ResNet-18 dense", "ResNet-18 Top-K 2_20", "Lite0 (dense)", "Lite0 (Top-K)"])
test_eq({c for c, _ in app2.last_result.predictions("ResNet-18 dense")}, set(dls.vocab))
test_eq(app2.last_result.maps("ResNet-18 Top-K 2_20")[1].shape[1], 128)  # stage 2 of ResNet-18: 128 channels
test_eq(app2.last_result.image_label.split("/")[0], "n01440764")
test_eq(app2.last_result.predictions("Lite0 (dense)")[0][0], "tench")  # real weights, own preprocessing
