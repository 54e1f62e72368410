"""Run the tutorials with their checks, as CI does: each tutorial in `nbs/tutorials/` executes exactly as `nbdev-test`
runs a notebook (cells flagged `#| gpu`, `#| network` or `#| slow` skipped), and the assertions of
`tools/tutorial_checks/<tutorial>.py` run in its namespace right after the cell they check. The tutorials themselves
hold no test cells: they are for reading; their checks live here.

    python tools/test_tutorials.py                      # every tutorial; exits 1 if one fails
    python tools/test_tutorials.py nbs/tutorials/01_topk_in_five_minutes.ipynb

A check file is Python in blocks, each headed `# %% after <cell id>` (the id of the tutorial cell whose results it
checks; `nbdev-clean` keeps cell ids stable). An id that is no longer in the tutorial fails the run, so a check cannot
silently stop running.
"""
import argparse, json, re, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TUTORIALS, CHECKS = ROOT/"nbs"/"tutorials", Path(__file__).resolve().parent/"tutorial_checks"
HEAD = re.compile(r"^# %% after (\S+)\s*$", re.M)

def read_checks(path:Path) -> dict:
    ("cell id -> the check code to run after that cell, from a check file (empty if there is none); the file's "
     "prelude (its imports, before the first block) under the key `None`")
    if not path.exists(): return {}
    parts = HEAD.split(path.read_text())
    return {None: parts[0].strip("\n")} | {cid: code.strip("\n") for cid, code in zip(parts[1::2], parts[2::2])}

def with_checks(nb:dict, checks:dict, name:str) -> dict:
    "`nb` with each check as a code cell right after the cell it checks"
    ids = {c.get("id") for c in nb["cells"]}
    missing = sorted(set(checks) - ids - {None})
    if missing: raise ValueError(f"{name}: checks after cells {missing}, which the tutorial no longer has")
    prelude = checks.get(None)
    cells = [dict(cell_type="code", execution_count=None, id="check-prelude", metadata={}, outputs=[],
                  source=prelude.splitlines(keepends=True))] if prelude else []
    for c in nb["cells"]:
        cells.append(c)
        if c.get("id") in checks:
            cells.append(dict(cell_type="code", execution_count=None, id=f"check-{c['id']}", metadata={}, outputs=[],
                              source=checks[c["id"]].splitlines(keepends=True)))
    return dict(nb, cells=cells)

def run_one(path:Path) -> bool:
    "Run the tutorial `path` with its checks, as `nbdev-test` runs a notebook; True if every cell and check passed"
    from nbdev.config import get_config
    from nbdev.test import test_nb
    nb = with_checks(json.loads(path.read_text()), read_checks(CHECKS/f"{path.stem}.py"), path.name)
    tmp = path.with_name(f"_checked_{path.name}")  # beside it (relative paths hold); `_` names nbdev-test skips
    tmp.write_text(json.dumps(nb, indent=1, ensure_ascii=False))
    try:
        print(f"Starting {path}", flush=True)
        ok, secs = test_nb(tmp, skip_flags=get_config().tst_flags.split(), cell_timeout=get_config().get("cell_timeout", 600))
    finally: tmp.unlink(missing_ok=True)
    print(f"- Completed {path}" if ok else f"FAILED {path}", f"({secs:.0f} s)", flush=True)
    return ok

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("paths", nargs="*", type=Path, help="tutorial notebooks (default: all of nbs/tutorials/)")
    p.add_argument("--workers", type=int, default=2, help="tutorials run at once, each in its own process")
    a = p.parse_args(argv)
    paths = [q.resolve() for q in a.paths] or sorted(TUTORIALS.glob("[0-9]*.ipynb"))
    if a.workers <= 1 or len(paths) == 1: oks = [run_one(q) for q in paths]
    else:  # one process per tutorial: two shells in one process mix their output (and IPython replaces `__main__`)
        one = lambda q: subprocess.run([sys.executable, __file__, "--workers", "1", str(q)]).returncode == 0
        with ThreadPoolExecutor(a.workers) as ex: oks = list(ex.map(one, paths))
    failed = [q for q, ok in zip(paths, oks) if not ok]
    if failed: print("failed:", *failed, sep="\n  ")
    return 1 if failed else 0

if __name__ == "__main__": sys.exit(main())
