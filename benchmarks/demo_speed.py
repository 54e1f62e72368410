"""How long `shape-sparsity demo` takes from a wheel install, first run (package cache cleared) and cached, and where
the time of a first run goes.

    python benchmarks/demo_speed.py --venv /tmp/demo-venv [--runs 5] [--cue-conflict ../shared/data/cue-conflict]
    python benchmarks/demo_speed.py --venv /tmp/demo-venv --make-venv   # first: build the wheel, make the venv, install

`--make-venv` builds a wheel of this checkout (`pip wheel --no-deps`) and installs it with its dependencies into a new
venv (pip's cache makes that a few minutes). Each timed run is a new process (`<venv>/bin/shape-sparsity demo`) with a
new --out folder; "first run" also gets a new, empty `XDG_CACHE_HOME` (the package's cache: the ONNX export and the
file hashes), "cached" keeps one. Runs alternate first/cached, so a change of the machine's load hits both. Then one
more first run in-process with timers around each phase gives the breakdown. Prints Markdown with the machine line and
the load, checks the table is the one expected (dense 0.239, Top-K 0.482 for EfficientNet-Lite0 on the 1280 images).
"""
import argparse, os, re, statistics, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = ("0.239", "0.482")  # the demo's shape bias, dense and Top-K 0.2, on the 1280 stimuli

PROFILE = r'''
import os, sys, time, json
T0 = time.perf_counter()
phases = {}
def timer(name, obj, attr):
    f = getattr(obj, attr)
    def wrapped(*a, **k):
        t = time.perf_counter()
        try: return f(*a, **k)
        finally: phases[name] = phases.get(name, 0.0) + time.perf_counter() - t
    setattr(obj, attr, wrapped)
from shape_sparsity.cli.main import main
phases["imports (CLI)"] = time.perf_counter() - T0
import shape_sparsity.evaluation.sweep as sw, shape_sparsity.onnx_topk as ot, shape_sparsity.evaluation.pretrained as ev, shape_sparsity.models as mo
import shape_sparsity.evaluation.shape_bias as sb, matplotlib.figure as mf
phases["imports (demo's modules)"] = time.perf_counter() - T0 - phases["imports (CLI)"]
timer("model build", sw, "pretrained_topk")
timer("decode 1280 stimuli", sw, "load_stimuli")
timer("ONNX export + split (cache miss)", ot, "_make_entry")
timer("ONNX Runtime sessions", ot.OnnxTopK, "sessions")
timer("check vs PyTorch (2 images)", ot, "check_runner")
timer("evaluations (dense + Top-K)", sw, "evaluate_cue_conflict")
timer("shape bias + bootstrap CIs", sw, "shape_bias")
timer("plots (savefig)", mf.Figure, "savefig")
timer("writing trials", sw, "write_responses")
T1 = time.perf_counter()
rc = main(sys.argv[1:])
phases["demo total (in-process)"] = time.perf_counter() - T1
print("PHASES " + json.dumps(phases))
'''

def load() -> str: return "/".join(f"{v:.2f}" for v in os.getloadavg())

def run_demo(venv:Path, cc:str, cache:str, out:str) -> tuple[float, str]:
    env = dict(os.environ, XDG_CACHE_HOME=cache, MPLBACKEND="Agg", OMP_WAIT_POLICY="PASSIVE")
    env.pop("PYTHONPATH", None)  # the installed wheel, not a checkout
    t0 = time.perf_counter()
    r = subprocess.run([str(venv/"bin"/"shape-sparsity"), "demo", "--cue-conflict", cc, "--out", out, "--quiet"],
                       env=env, capture_output=True, text=True, cwd=tempfile.gettempdir())
    dt = time.perf_counter() - t0
    if r.returncode: raise SystemExit(f"demo failed ({r.returncode}):\n{r.stderr[-2000:]}")
    return dt, r.stdout

def table_ok(stdout:str) -> bool:
    sb = re.findall(r"\| (0\.\d{3}) \[", stdout)
    return tuple(sb[:2]) == EXPECTED

def make_venv(venv:Path):
    whl = Path(tempfile.mkdtemp())
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(whl), str(ROOT)], check=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run([str(venv/"bin"/"pip"), "install", "-q", *map(str, whl.glob("*.whl"))], check=True)

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--venv", default="/tmp/demo-venv")
    p.add_argument("--make-venv", action="store_true", help="build the wheel and install it into a new --venv first")
    p.add_argument("--runs", type=int, default=5, help="runs of each kind (first, cached)")
    p.add_argument("--cue-conflict", default=str(ROOT.parent/"shared"/"data"/"cue-conflict"))
    p.add_argument("--out", default="", help="also write the Markdown here")
    a = p.parse_args()
    venv = Path(a.venv)
    if a.make_venv: make_venv(venv)
    if not (venv/"bin"/"shape-sparsity").exists(): raise SystemExit(f"no shape-sparsity in {venv}: pass --make-venv")
    lines = []
    say = lambda s="": (print(s, flush=True), lines.append(s))
    import platform
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
    ver = subprocess.run([str(venv/"bin"/"python"), "-c", "import torch, onnxruntime, shape_sparsity as s; "
                          "print(torch.__version__, onnxruntime.__version__, s.__file__)"], capture_output=True, text=True,
                         cwd=tempfile.gettempdir()).stdout.split()  # not this checkout: the installed package
    say(f"Machine: {cpu}, {os.cpu_count()} cores; torch {ver[0]}, onnxruntime {ver[1]}; package from {ver[2]}")
    say(f"load (1/5/15 min) at start: {load()}\n")
    cached_dir, times = tempfile.mkdtemp(), {"first run (cache cleared)": [], "cached ONNX export": []}
    run_demo(venv, a.cue_conflict, cached_dir, tempfile.mkdtemp())  # fills the cached one (and warms the OS's file cache)
    ok = True
    for i in range(a.runs):
        for kind in times:
            cache = tempfile.mkdtemp() if kind.startswith("first") else cached_dir
            dt, out = run_demo(venv, a.cue_conflict, cache, tempfile.mkdtemp())
            times[kind].append(dt); ok &= table_ok(out)
    say("| demo, 1280 stimuli | median s | min s | max s | runs |\n|---|---|---|---|---|")
    for kind, v in times.items():
        if v: say(f"| {kind} | {statistics.median(v):.1f} | {min(v):.1f} | {max(v):.1f} | {len(v)} |")
    say(f"\ntable as expected (dense {EXPECTED[0]}, Top-K {EXPECTED[1]}) in every run: {ok}; load after: {load()}\n")
    env = dict(os.environ, XDG_CACHE_HOME=tempfile.mkdtemp(), MPLBACKEND="Agg", OMP_WAIT_POLICY="PASSIVE")
    env.pop("PYTHONPATH", None)
    t0 = time.perf_counter()
    r = subprocess.run([str(venv/"bin"/"python"), "-c", PROFILE, "demo", "--cue-conflict", a.cue_conflict, "--out",
                        tempfile.mkdtemp(), "--quiet"], env=env, capture_output=True, text=True, cwd=tempfile.gettempdir())
    wall = time.perf_counter() - t0
    import json
    ph = json.loads(next(l for l in r.stdout.splitlines() if l.startswith("PHASES "))[7:])
    inproc = ph["imports (CLI)"] + ph["imports (demo's modules)"] + ph.pop("demo total (in-process)")
    inside = [k for k in ("ONNX export + split (cache miss)", "ONNX Runtime sessions", "check vs PyTorch (2 images)") if k in ph]
    ev = "evaluations (dense + Top-K)"
    if ev in ph: ph[ev + ", network and decisions only"] = ph.pop(ev) - sum(ph[k] for k in inside)  # those run inside it
    say("| phase of one first run (in-process timers) | seconds |\n|---|---|")
    say(f"| process start (interpreter, site) | {wall - inproc:.2f} |")
    for k, v in ph.items(): say(f"| {k} | {v:.2f} |")
    rest = inproc - sum(ph.values())
    say(f"| the rest (argument checks, data fingerprint, table, ...) | {rest:.2f} |")
    say(f"| **wall** | **{wall:.2f}** |")
    say(f"\nload at the end: {load()}")
    if a.out: Path(a.out).write_text("\n".join(lines) + "\n")

if __name__ == "__main__": main()
