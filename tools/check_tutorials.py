"""Check the stored tutorials without running them (CI): each tutorial keeps its outputs, every plotting cell an
image, the outputs stay small and clean; and the study tables a tutorial quotes still match the results in
`benchmarks/results/`.

    python tools/check_tutorials.py            # prints each problem and exits 1 if there is any

Cells flagged `#| gpu`, `#| network` or `#| slow` are exempt (CI cannot run them, so they keep no output).
Figures are checked for presence, not pixels. `tools/run_tutorials.py` stores the outputs.
"""
import ast, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TUTORIALS = ROOT/"nbs"/"tutorials"
EXEMPT = ("gpu", "network", "slow")
MAX_PNG_KB = 300  # one figure
IMAGES = ("image/png", "image/jpeg")
WIDGET = "application/vnd.jupyter.widget-view+json"
BAR = re.compile(r"\|[█\-]+\|\s*\d+\.\d+% \[")  # a console progress bar
MAX_NB_KB = 3000  # one notebook, outputs included
MAX_TEXT = 5000  # characters of one text output (run_tutorials.py cuts at 4000)
MACHINE_PATH = re.compile(r"(?<![\w$.<~])/(?:tmp|work|home|root|Users|var/folders)/")  # a path of the machine that ran it
TEST_CALL = re.compile(r"\btest_(eq|close|fail|ne|is|eq_type)\(|^\s*assert\b", re.M)  # a check: tools/tutorial_checks
PLOT_CALLS = re.compile(r"^(plot_\w+|show_(runs|world)|subplots|imshow|figure)$")  # calls whose cell must end with a figure

def flags(src:str) -> set:
    return {f for l in src.splitlines() if l.startswith("#|") for f in l[2:].split()}

def plots(src:str) -> bool:
    "Whether the cell draws a figure (and does not close it)"
    try: tree = ast.parse(src)
    except SyntaxError: return False
    names = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Call):
            f = n.func
            names.add(f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", ""))
    return any(PLOT_CALLS.match(x) for x in names) and "close" not in names

def _text(t) -> str: return "".join(t) if isinstance(t, list) else t

def check_notebook(path:Path) -> list[str]:
    "The problems of one stored tutorial"
    nb, probs = json.loads(path.read_text()), []
    name = path.name
    if path.stat().st_size > MAX_NB_KB * 1024: probs.append(f"{name}: {path.stat().st_size // 1024} KB, over {MAX_NB_KB} KB")
    if "widgets" in nb.get("metadata", {}): probs.append(f"{name}: widget state stored in the notebook metadata")
    runnable = with_output = 0
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] != "code": continue
        src, outs = _text(c["source"]), c.get("outputs", [])
        if TEST_CALL.search(src): probs.append(f"{name} cell {i}: a test cell (checks go in tools/tutorial_checks/)")
        if flags(src) & set(EXEMPT): continue
        runnable += 1; with_output += bool(outs)
        where = f"{name} cell {i} ({src.strip().splitlines()[0][:50] if src.strip() else 'empty'})"
        for o in outs:
            if o.get("output_type") == "error": probs.append(f"{where}: stores an error")
            if o.get("output_type") == "stream" and o.get("name") == "stderr": probs.append(f"{where}: stores stderr (warnings or progress bars)")
            if o.get("output_type") == "stream" and BAR.search(_text(o.get("text", ""))): probs.append(f"{where}: stores a progress bar")
            if WIDGET in o.get("data", {}): probs.append(f"{where}: stores a widget (GitHub cannot show it without its state)")
            d = o.get("data", {})
            if any(len(_text(d.get(m, ""))) * 3 / 4 > MAX_PNG_KB * 1024 for m in IMAGES):
                probs.append(f"{where}: a figure over {MAX_PNG_KB} KB")
            texts = [_text(o.get("text", ""))] + [_text(d.get(k, "")) for k in ("text/plain", "text/html")]
            if max(map(len, texts)) > MAX_TEXT: probs.append(f"{where}: a text output over {MAX_TEXT} characters")
            if any(MACHINE_PATH.search(t) for t in texts):
                probs.append(f"{where}: stores a path of the machine that ran it (run tools/run_tutorials.py)")
        if plots(src) and not any(m in o.get("data", {}) for o in outs for m in IMAGES):
            probs.append(f"{where}: draws a figure but stores no image")
    if runnable and not with_output: probs.append(f"{name}: no stored outputs (run tools/run_tutorials.py {path})")
    return probs

def _md_tables(nb:dict) -> list[str]:
    "Every markdown table of the notebook, as text"
    out = []
    for c in nb["cells"]:
        if c["cell_type"] != "markdown": continue
        out += re.findall(r"(?:^\|.*\|\n?)+", _text(c["source"]), re.M)
    return [t.strip() for t in out]

def check_texture_claims() -> list[str]:
    "The texture study's tables quoted in tutorial 4 and the claims it makes still hold for `benchmarks/results/`"
    import numpy as np, pandas as pd, torch
    import torchvision.transforms as T
    from shape_sparsity.texture.synthesis import NEURONS
    from shape_sparsity.texture.study import summarize_study, low_freq_share
    from shape_sparsity.utils import md_table
    res = ROOT/"benchmarks"/"results"
    nbp = TUTORIALS/"04_what_topk_neurons_encode.ipynb"
    tables, probs, kinds = _md_tables(json.loads(nbp.read_text())), [], list(NEURONS)
    study = pd.read_csv(res/"texture_study.csv")
    s256 = pd.read_csv(res/"texture_study_256.csv")
    speed = pd.read_csv(res/"texture_speed.csv")
    per_class = study[study.neurons != "source"].pivot_table(index="class", columns="neurons", values="rank", aggfunc="median")[kinds]
    quoted = {"texture_study.csv": md_table(summarize_study(study, as_text=True)),
              "texture_study.csv per class": md_table(per_class.round(0).astype(int).reset_index()),
              "texture_study_256.csv": md_table(summarize_study(s256, as_text=True)),
              "texture_speed.csv": md_table(speed.pivot_table(index=["machine", "device", "threads", "size"], columns="neurons",
                                                              values="seconds")[kinds].reset_index(), "{:.1f}")}
    for what, t in quoted.items():
        if t.strip() not in tables: probs.append(f"{nbp.name}: its table of {what} differs from benchmarks/results/ now:\n{t}")
    # the claims of "What we find" (moved here from the tutorial: they read the benchmark results, not the tutorial's run)
    num = summarize_study(study).set_index("neurons")
    rank, low = num["median rank"], num["low-freq / source"]
    start = np.mean([low_freq_share(T.functional.to_pil_image(torch.sigmoid(torch.randn(3, 128, 128, generator=torch.Generator().manual_seed(s)))))
                     for s in range(3)]) / study[study.neurons == "source"].low_freq.mean()  # the starting noise, relative
    claims = {"the four kinds": list(num.index) == ["source", "all", "topk", "non_topk"],
              "9 images, 3 seeds": num.loc["topk", ["images", "seeds"]].tolist() == [9, 3] and len(study) == 9 + 9 * 3 * 3,
              "the classifier knows every source crop": num.loc["source", "top-5"] == 1.0,
              "no synthesis in the top 5": num.loc[kinds, "top-5"].max() == 0.0,
              "Top-K: no class information, the others: some": rank["topk"] > 500 > rank["all"] and rank["non_topk"] < 500,
              "structure goes with the non-Top-K neurons": start < 0.1 < low["topk"] < 0.3 < 0.5 < low["non_topk"] <= low["all"] + 0.1,
              "Top-K statistics are the hard ones to match": num.loc["topk", "loss"] > 3 * num.loc["all", "loss"]}
    probs += [f"{nbp.name}: the claim '{c}' no longer holds for benchmarks/results/texture_study.csv" for c, ok in claims.items() if not ok]
    return probs

def check_ksweep_table() -> list[str]:
    "The k-sweep table quoted in tutorial 2 is still `ksweep_table` of `benchmarks/results/ksweep.csv`"
    import pandas as pd
    from shape_sparsity.evaluation.sweep import ksweep_table
    from shape_sparsity.utils import md_table
    nbp = TUTORIALS/"02_shape_bias_pretrained_topk.ipynb"
    t = md_table(ksweep_table(pd.read_csv(ROOT/"benchmarks"/"results"/"ksweep.csv")))
    ok = t.strip() in _md_tables(json.loads(nbp.read_text()))
    return [] if ok else [f"{nbp.name}: its k-sweep table differs from benchmarks/results/ksweep.csv now:\n{t}"]

def main(argv=None) -> int:
    paths = [Path(p) for p in (argv if argv is not None else sys.argv[1:])] or sorted(TUTORIALS.glob("[0-9]*.ipynb"))
    probs = [p for path in paths for p in check_notebook(path)]
    if not argv and not sys.argv[1:]: probs += check_texture_claims() + check_ksweep_table()
    for p in probs: print(p)
    print(f"{len(paths)} tutorials checked: " + (f"{len(probs)} problem(s)" if probs else "outputs stored, every figure there"))
    return 1 if probs else 0

if __name__ == "__main__": sys.exit(main())
