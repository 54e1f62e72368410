"Packaging checks on a clean clone: the wheel holds every exported module and imports on its own."
import subprocess, sys, zipfile, os
from pathlib import Path
from conftest import ROOT, run

def exported_modules(root):
    "Dotted names of the exported modules (`world.study`), subpackages included"
    pkg = root/"shape_sparsity"
    return sorted(".".join(p.relative_to(pkg).with_suffix("").parts) for p in pkg.rglob("*.py") if not p.name.startswith("_"))

def test_clean_clone_is_in_sync(clean_clone):
    "nbdev-export on a fresh clone changes nothing: the committed library matches the committed notebooks"
    run(["nbdev-export"], cwd=clean_clone)
    status = run(["git", "status", "--porcelain"], cwd=clean_clone).stdout
    assert status == "", f"nbdev-export changed a fresh clone:\n{status}"

def test_readme_in_sync(clean_clone):
    "README.md is what tools/make_readme.py renders from nbs/index.ipynb"
    run([sys.executable, "tools/make_readme.py", "--check"], cwd=clean_clone)

def test_wheel_installs_and_imports(clean_clone, tmp_path):
    "Build a wheel from the clean clone, install it (without deps: they are this env's) and import every module"
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp_path/"dist"), str(clean_clone)])
    wheel, = (tmp_path/"dist").glob("shape_sparsity-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    mods = exported_modules(clean_clone)
    assert "core" in mods
    assert "world.study" in mods and "cli.main" in mods, mods
    for m in mods + ["__init__", "_modidx"] + [f"{p}.__init__" for p in {m.rsplit('.', 1)[0] for m in mods if "." in m}]:
        path = m.replace(".", "/") + ".py"
        assert f"shape_sparsity/{path}" in names, f"{path} missing from {wheel.name}"
    target = tmp_path/"site"
    run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)])
    code = ("import importlib, shape_sparsity as s; print(s.__file__); print(s.__version__); "
            + "; ".join(f"importlib.import_module('shape_sparsity.{m}')" for m in mods))
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = run([sys.executable, "-c", code], cwd=tmp_path, env=env).stdout.split()
    assert Path(out[0]).is_relative_to(target), f"imported {out[0]}, not the installed wheel"
    assert out[1] == run([sys.executable, "-c", "import shape_sparsity; print(shape_sparsity.__version__)"], cwd=ROOT).stdout.strip()

def test_ci_script_checks_notebook_count():
    "`.ci/run` must fail when nbdev-test runs fewer notebooks than nbs/ holds (nbdev-test exits 0 on none)"
    ci = (ROOT/".ci"/"run").read_text()
    assert "tools/notebooks.py --count" in ci and "- Completed" in ci
    n = int(run([sys.executable, "tools/notebooks.py", "--count"], cwd=ROOT).stdout)
    assert n == len([p for p in (ROOT/"nbs").rglob("*.ipynb") if ".ipynb_checkpoints" not in str(p)]), "some notebook is not picked up by nbdev-test"
