"""Check the package's structure, as CI does: no import cycle, no import from a higher-numbered chapter, no module
over `MAX_LINES` logical lines (statements: wrapping a long line does not count). Each module is exported from one notebook (its "File to edit" header); a chapter's number is
its notebook's name (`05a_data.core` < `05b_data.stylize` < `06a_train.core`); subpackages are folders (`world/study.py` is `world.study`). Imports inside functions count too.

    python tools/check_structure.py        # prints each problem and exits 1 if there is any
"""
import ast, importlib.util, io, re, sys, tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT/"shape_sparsity"
# Logical lines (tokenize's NEWLINE tokens), not physical ones: wrapping lines at 120 characters (issue 26) must not
# count as growth. 320 is the old limit of 400 physical lines at the densest module's old ratio (onnx_topk: 304 logical
# in 390 physical, 0.78); every module met both before the rewrap.
MAX_LINES = 320

def logical_lines(f:Path) -> int:
    "The number of statements' lines of `f` (a statement wrapped over several lines counts once; comments don't count)"
    return sum(t.type == tokenize.NEWLINE for t in tokenize.generate_tokens(io.StringIO(f.read_text()).readline))

def modules() -> dict:
    "dotted module name (`world.study`) -> (notebook stem, file) for every exported module"
    out = {}
    for f in sorted(PKG.rglob("*.py")):
        m = re.search(r"File to edit: (?:\.\./)+nbs/(\S+)\.ipynb", f.read_text())
        if m: out[".".join(f.relative_to(PKG).with_suffix("").parts)] = (Path(m.group(1)).name, f)
    return out

def imports(f:Path, names) -> set:
    "The package modules that file `f` imports (anywhere in it), as dotted names relative to the package"
    here = "shape_sparsity." + ".".join(f.relative_to(PKG).with_suffix("").parts)
    got = set()
    for node in ast.walk(ast.parse(f.read_text())):
        if isinstance(node, ast.ImportFrom):
            mod = importlib.util.resolve_name("." * node.level + (node.module or ""), here.rsplit(".", 1)[0]) if node.level else (node.module or "")
            if not (mod == "shape_sparsity" or mod.startswith("shape_sparsity.")): continue
            rel = mod[len("shape_sparsity."):] if mod != "shape_sparsity" else ""
            got |= {f"{rel}.{a.name}".lstrip(".") for a in node.names} | {rel}
        elif isinstance(node, ast.Import):
            got |= {a.name[len("shape_sparsity."):] for a in node.names if a.name.startswith("shape_sparsity.")}
    return got & set(names)

def cycles(graph:dict) -> list:
    "Every strongly connected group of more than one module (Tarjan)"
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
        for w in graph[v]:
            if w not in index: visit(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1 or v in graph[v]: out.append(sorted(comp))
    for v in graph:
        if v not in index: visit(v)
    return out

def problems() -> list:
    mods = modules()
    graph = {m: imports(f, mods) - {m} for m, (_, f) in mods.items()}
    out = [f"import cycle: {' <-> '.join(c)}" for c in cycles(graph)]
    for m, deps in sorted(graph.items()):
        for d in sorted(deps):
            if mods[d][0] > mods[m][0]: out.append(f"{m} (chapter {mods[m][0]}) imports {d} from a higher chapter ({mods[d][0]})")
    for m, (nb, f) in sorted(mods.items()):
        n = logical_lines(f)
        if n > MAX_LINES: out.append(f"{m} ({nb}) has {n} logical lines, more than {MAX_LINES}: split its chapter")
    return out

if __name__ == "__main__":
    found = problems()
    print("\n".join(found) if found else f"structure ok: {len(modules())} modules, no cycle, no import from a higher chapter, none over {MAX_LINES} logical lines")
    sys.exit(1 if found else 0)
