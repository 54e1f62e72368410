"""Run the tutorials and store their outputs in the notebooks, so that GitHub shows their figures (as fastai keeps
its notebooks). A maintainer reruns it after changing a tutorial or the code it shows, then commits the notebooks.

    python tools/run_tutorials.py                       # every notebook in nbs/tutorials/, one at a time
    python tools/run_tutorials.py nbs/tutorials/01_topk_in_five_minutes.ipynb

Each tutorial runs under `nbdev-test --save`, exactly as CI runs it (cells flagged `#| gpu`, `#| network` or `#| slow`
are skipped and keep no output), with one torch thread per process. Then the outputs are made small and stable:
stderr streams (warnings), progress bars (HTML, and console ones in stdout), widgets and widget state are
dropped; paths of this machine (the data folder, temporary folders, home) are written as a reader's; figures wider than `MAX_WIDTH` (or larger than `MAX_PIXELS`) are scaled down and stored in their smallest
encoding (PNG, palette PNG, or JPEG for photographs); long text outputs are cut to `MAX_TEXT` characters. Last,
`nbdev-clean` normalizes the notebook.
`tools/check_tutorials.py` (CI) checks the result without running anything.
"""
import argparse, base64, io, json, os, re, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TUTORIALS = ROOT/"nbs"/"tutorials"
BIN = Path(sys.executable).parent
MAX_WIDTH = 800  # px: a figure wider than this is scaled down
MAX_PIXELS = 800 * 800  # and one larger than this (a tall figure)
MAX_TEXT = 4000  # characters per text output
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

def _enc(im, fmt:str) -> bytes:
    buf = io.BytesIO()
    if fmt == "JPEG": im.convert("RGB").save(buf, "JPEG", quality=85, optimize=True)
    else: im.save(buf, "PNG", optimize=True)
    return buf.getvalue()

def small_image(b64:str) -> tuple[str, str]:
    "`(mime type, base64)` of the figure at most `MAX_WIDTH` pixels wide, in its smallest faithful encoding"
    from PIL import Image
    orig = base64.b64decode(b64)
    im = Image.open(io.BytesIO(orig)); im.load()
    f = min(1, MAX_WIDTH / im.width, (MAX_PIXELS / (im.width * im.height)) ** 0.5)
    scaled = f < 1
    if scaled: im = im.resize((round(im.width * f), round(im.height * f)), Image.LANCZOS)
    png = min([_enc(im, "PNG"), _enc(im.convert("RGB").quantize(256), "PNG")] + ([] if scaled else [orig]), key=len)
    jpg = _enc(im, "JPEG")  # photographs: far smaller as JPEG; plots and line drawings stay PNG
    return ("image/jpeg", jpg) if len(jpg) < 0.65 * len(png) else ("image/png", png)

_BAR = re.compile(r"\|[█\-]*\|\s*\d+\.\d+%|^\s*(Epoch \d+/\d+ :)?\s*$")  # a console progress bar, or what clears it

def clean_stream(t:str) -> str:
    "Console text as a terminal would leave it: each line's last `\\r` segment, progress bars dropped"
    out = []
    for line in t.split("\n"):
        segs = [g.strip("█") for g in line.split("\r")]
        keep = [g for g in segs if not _BAR.search(g)]
        if keep: out.append(keep[-1])
        elif not line.strip(): out.append("")
    return "\n".join(out)

def _text(t) -> str: return "".join(t) if isinstance(t, list) else t

# Paths of the machine that ran a tutorial mean nothing to a reader: the data folder becomes `$SHAPE_SPARSITY_DATA`,
# a temporary folder `<tmp>`, a home `~`
_TMP = re.compile(r"/(?:tmp|var/folders/[\w/]+?)/[\w.-]+?-[\w]{6,}(?=[/'\"\s,)\]]|$)")

def scrub_paths(t:str, data=None) -> str:
    "`t` with the data folder, temporary folders and the home folder written as a reader's own, not this machine's"
    from shape_sparsity.utils import local_data
    data = data if data is not None else local_data()
    if data: t = t.replace(str(Path(data).resolve()), "$SHAPE_SPARSITY_DATA").replace(str(data), "$SHAPE_SPARSITY_DATA")
    t = _TMP.sub("<tmp>", t)
    return t.replace(str(ROOT), "<repo>").replace(str(Path.home()), "~")

def _cut(t:str) -> str:
    if len(t) <= MAX_TEXT: return t
    return t[:MAX_TEXT // 2] + f"\n... ({len(t) - MAX_TEXT} characters cut by tools/run_tutorials.py) ...\n" + t[-MAX_TEXT // 2:]

def scrub_outputs(nb:dict) -> dict:
    "`scrub_paths` on every stored text output (in place; returns `nb`); figures are left as they are"
    for c in nb["cells"]:
        for o in c.get("outputs", []):
            if o.get("output_type") == "stream": o["text"] = scrub_paths(_text(o["text"]))
            for k in ("text/plain", "text/html", "text/markdown"):
                if k in o.get("data", {}): o["data"][k] = scrub_paths(_text(o["data"][k]))
    return nb

def shrink_outputs(nb:dict) -> dict:
    "Drop stderr, progress bars and widget state; shrink figures and long texts (in place; returns `nb`)"
    nb.get("metadata", {}).pop("widgets", None)
    for c in nb["cells"]:
        if c["cell_type"] != "code": continue
        outs = []
        for o in c.get("outputs", []):
            if o.get("output_type") == "stream":
                if o.get("name") == "stderr": continue
                o["text"] = _cut(scrub_paths(clean_stream(_text(o["text"]))))
                if not o["text"].strip(): continue
            elif o.get("output_type") in ("display_data", "execute_result"):
                d = o.get("data", {})
                html = _text(d.get("text/html", ""))
                if "<progress" in html or "progress-bar" in html: continue  # fastprogress bars
                if WIDGET_MIME in d: continue  # a widget: no state to show it with (the tutorials show screenshots)
                if not any(_text(v).strip() for v in d.values()): continue  # nothing to show
                if "image/png" in d:
                    mime, b = small_image(_text(d.pop("image/png")).strip())
                    d[mime] = base64.b64encode(b).decode()
                for k in ("text/plain", "text/html", "text/markdown"):
                    if k in d: d[k] = _cut(scrub_paths(_text(d[k])))
            outs.append(o)
        c["outputs"] = outs
    return nb

def run_one(path:Path, timeout:int) -> bool:
    "Execute `path` with `nbdev-test --save`, then shrink and clean its outputs; False if it failed"
    env = dict(os.environ, OMP_NUM_THREADS="1", OMP_WAIT_POLICY="PASSIVE", MPLBACKEND="Agg", PYTHONUNBUFFERED="1")
    t0 = time.time()
    r = subprocess.run([str(BIN/"nbdev-test"), str(path), "--save", "--cell-timeout", str(timeout)], env=env, cwd=ROOT)
    if r.returncode != 0:
        print(f"FAILED {path} (outputs not saved)"); return False
    nb = shrink_outputs(json.loads(path.read_text()))
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    subprocess.run([str(BIN/"nbdev-clean"), "--fname", str(path)], check=True, cwd=ROOT)
    print(f"saved {path.relative_to(ROOT)} ({time.time() - t0:.0f} s, {path.stat().st_size / 1024:.0f} KB)")
    return True

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("paths", nargs="*", type=Path, help="tutorial notebooks (default: all of nbs/tutorials/)")
    p.add_argument("--cell-timeout", type=int, default=900, help="seconds before one cell times out")
    p.add_argument("--scrub-only", action="store_true", help="only write the stored text outputs' paths as a reader's (no run)")
    a = p.parse_args(argv)
    paths = [q.resolve() for q in a.paths] or sorted(TUTORIALS.glob("[0-9]*.ipynb"))
    if a.scrub_only:
        for q in paths: q.write_text(json.dumps(scrub_outputs(json.loads(q.read_text())), indent=1, ensure_ascii=False) + "\n")
        return 0
    failed = [q for q in paths if not run_one(q, a.cell_timeout)]
    if failed: print("failed:", *failed, sep="\n  ")
    return 1 if failed else 0

if __name__ == "__main__": sys.exit(main())
