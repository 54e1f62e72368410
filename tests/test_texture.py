"""`shape-sparsity synthesize` as the installed console script, offline, at a tiny size (the library and the command's own
behaviour are tested in nbs/10a_texture.synthesis.ipynb and nbs/10b_texture.study.ipynb)"""
import os, subprocess, sys
from pathlib import Path
from conftest import ROOT
from shape_sparsity.testing import test_data_path as data_path  # aliased: pytest would collect test_*

JEEPS = sorted((data_path("imagenet-mini")/"val"/"n03594945").iterdir())[:3]
TINY = ["--size", "40", "--steps", "1", "--iters-per-step", "2"]
EXE = str(Path(sys.executable).parent/"shape-sparsity")  # the console script installed beside this Python

def test_console_script(tmp_path):
    env = {**os.environ, "SHAPE_SPARSITY_OFFLINE": "1", "MPLBACKEND": "Agg"}
    run = lambda *a: subprocess.run([EXE, "synthesize", *map(str, a)], capture_output=True, text=True, env=env, cwd=ROOT)
    r = run("--images", JEEPS[0], "--out", tmp_path/"out", *TINY)
    assert r.returncode == 0, r.stderr
    assert len(list((tmp_path/"out").glob("*.png"))) == 4  # three syntheses and the figure
    r = run("--images", tmp_path/"missing", "--out", tmp_path/"out")
    assert r.returncode == 2 and r.stderr.strip().startswith("shape-sparsity synthesize: error:") and "missing" in r.stderr, r.stderr
