"""Try the package as a demanding user would: a few dozen cases end to end (the command line, in-process and as a
console script), each one a silent wrong result, lost work or traceback that a user once hit. A case passes when the
user gets a correct result or a clear one-line error. CI runs it; a maintainer runs it after any change to a job.

    python tools/user_cases.py [-k SUBSTRING] [--list]

Cases live in `tools/cases/<area>.py`, each a function `case_<name>(tmp)` that raises AssertionError when the user
would be misled; `run` (in-process `shape_sparsity.cli.main.main`) and `run_exe` (the installed console script) are
theirs to use. Offline throughout (`SHAPE_SPARSITY_OFFLINE=1`), small sizes, one thread.
"""
import argparse, contextlib, importlib.util, os, subprocess, sys, tempfile, time, traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("SHAPE_SPARSITY_OFFLINE", "1"); os.environ.setdefault("MPLBACKEND", "Agg")
EXE = str(Path(sys.executable).parent/"shape-sparsity")

class Result:
    "What a user sees: the exit code, stdout and stderr"
    def __init__(self, code, out, err): self.code, self.out, self.err = code, out, err
    def __repr__(self): return f"exit {self.code}\n--- stdout\n{self.out[-1500:]}\n--- stderr\n{self.err[-1500:]}"
    def one_line_error(self, *contains):
        "Assert a clear refusal: exit 2, one line on stderr, no traceback, containing each of `contains`"
        lines = [l for l in self.err.strip().splitlines() if l.strip()]
        assert self.code == 2 and len(lines) == 1 and "Traceback" not in self.err, f"expected a one-line error, got {self!r}"
        for c in contains: assert c in lines[0], f"{c!r} not in the error: {lines[0]!r}"
        return lines[0]
    def ok(self):
        assert self.code == 0 and "Traceback" not in self.err, f"expected success, got {self!r}"
        return self

def run(*argv, cwd=None) -> Result:
    "`shape-sparsity *argv` in this process through `shape_sparsity.cli.main.run_cli` (fast: no import per case)"
    from shape_sparsity.cli.main import run_cli
    old = os.getcwd()
    try:
        if cwd: os.chdir(cwd)
        try: return Result(*run_cli(*argv))
        except Exception: return Result("traceback", "", traceback.format_exc())  # what the console script would show
    finally: os.chdir(old)

def run_exe(*argv, cwd=None, env=None, timeout=300) -> Result:
    "`shape-sparsity *argv` as the installed console script, in a new process"
    r = subprocess.run([EXE, *map(str, argv)], capture_output=True, text=True, cwd=cwd, timeout=timeout, env={**os.environ, **(env or {})})
    return Result(r.returncode, r.stdout, r.stderr)

@contextlib.contextmanager
def locked_by_another_process(folder):
    "Hold the lock `shape_sparsity.runs.folder_lock` takes on `folder` from another process, for the block"
    from shape_sparsity.runs.core import LOCK_NAME
    folder = Path(folder); folder.mkdir(parents=True, exist_ok=True)  # the same flock, without importing the package there (fast)
    code = "import fcntl, sys, time; f = open(sys.argv[1], 'a+'); fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)"
    p = subprocess.Popen([sys.executable, "-c", code, str(folder/LOCK_NAME)], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "held"
        yield
    finally: p.kill(); p.wait()

def cases() -> list:
    "(area, name, function) of every case in tools/cases/*.py"
    out = []
    for f in sorted((ROOT/"tools"/"cases").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"cases_{f.stem}", f)
        mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
        out += [(f.stem, n[5:], getattr(mod, n)) for n in vars(mod) if n.startswith("case_") and callable(getattr(mod, n))]
    return out

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-k", help="run only the cases whose area/name contains this")
    p.add_argument("--list", action="store_true")
    a = p.parse_args()
    todo = [c for c in cases() if not a.k or a.k in f"{c[0]}/{c[1]}"]
    if a.list: print("\n".join(f"{ar}/{n}" for ar, n, _ in todo)); return 0
    import torch; torch.set_num_threads(1)
    failed, t0 = [], time.perf_counter()
    for area, name, fn in todo:
        t = time.perf_counter()
        with tempfile.TemporaryDirectory() as d:
            try: fn(Path(d)); status = "ok"
            except Exception as e: failed.append(f"{area}/{name}"); status = f"FAILED\n{''.join(traceback.format_exception(e))}"
        print(f"{area}/{name}: {status} ({time.perf_counter() - t:.1f} s)", flush=True)
    print(f"user cases: {len(todo) - len(failed)} passed, {len(failed)} failed in {time.perf_counter() - t0:.0f} s"
          + (f" ({', '.join(failed)})" if failed else ""))
    return 1 if failed or not todo else 0

if __name__ == "__main__": sys.exit(main())
