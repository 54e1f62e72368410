"The tutorial's offline app as a person sees it: served by Voila, rendered by headless Chromium, read from the page"
import os, re, sys
from pathlib import Path
from conftest import ROOT
sys.path.insert(0, str(ROOT/"tools"))
from browser_app import write_app_notebook, serve, look, EXPECT
from shape_sparsity.testing import test_data_path as data_path  # aliased: pytest would collect test_*

def test_app_renders_in_a_browser(tmp_path):
    "Controls, both networks' predictions and the Top-K maps' labels are on the rendered page; the labels agree with k"
    env = {**os.environ, "SHAPE_SPARSITY_OFFLINE": "1", "MPLBACKEND": "Agg", "SHAPE_SPARSITY_DATA": str(data_path())}
    nb = write_app_notebook(tmp_path/"app.ipynb")
    with serve(nb, env) as url: text = look(url, EXPECT, timeout=150, screenshot=tmp_path/"app.png")
    for label in ("image", "style", "strength", "Top-K k", "networks", "Top-K layer", "upload image"):
        assert label in text, f"control {label!r} missing from the page:\n{text[:1500]}"
    assert "Lite0 (dense)" in text and "Lite0 (Top-K) k=0.20" in text, text[:1500]
    assert len(re.findall(r"16-category decision: (\w+)", text)) == 2, text[:3000]  # one decision per network
    assert "kept per channel: 20.0% of positions" in text, text[-1500:]  # agrees with the slider's k = 0.20
    assert (tmp_path/"app.png").stat().st_size > 20_000
