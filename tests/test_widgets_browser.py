"""The tutorial's offline app (`shape_sparsity.app.compare_app.demo_app`) served by Voila and rendered by headless Chromium.

Checks, in the DOM the browser built (not in Python objects): the controls are there, both networks' predictions
are the ones the library computes for the same image, the activation maps are sharp, side by side and labelled
with what k sets, and the shape-bias table has CIs and cue shares. Needs `voila`, `ipykernel`, `websocket-client`
(pip) and Chromium (`bash tools/install_browser.sh`); if any is missing the test FAILS, it does not skip.

Why not `chromium --dump-dom`: it snapshots the page at its load event (or when `--virtual-time-budget` runs out,
which virtual time does at once while the page waits on the kernel's websocket), before the widgets have rendered:
the DOM then reads "Loading widget...". So the same headless Chromium is driven over its DevTools protocol
instead, polling the DOM until the app is there.

Screenshot for the docs: `python tests/test_widgets_browser.py --screenshot nbs/images/widgets_app.png`
(1200x1600 window), or set `SHAPE_SPARSITY_SCREENSHOT=path` when running the test."""
import base64, json, os, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROME_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--window-size=1200,1600"]
DEADLINE = 100  # seconds for the whole test (Voila start, kernel run, page render)
KERNEL = "shape-sparsity-browser-test"
NOTEBOOK = """\
import warnings, matplotlib; matplotlib.use("Agg")
warnings.filterwarnings("ignore", message=".*torch.jit.script.* is deprecated", category=FutureWarning)  # fastai's import, not ours
from shape_sparsity.app.compare_app import demo_app
from shape_sparsity.testing import test_data_path
app = demo_app(test_data_path("cue-conflict"), test_data_path("cue-conflict-responses"))
app"""

def _missing(what, how): pytest.fail(f"{what} is missing: {how} (this test fails rather than skips without it)", pytrace=False)

def find_browser() -> str:
    exe = os.environ.get("CHROMIUM") or next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
    if exe and not shutil.which(exe): _missing(f"Chromium at CHROMIUM={exe}", "no such executable")
    if not exe: _missing("Chromium", "run `bash tools/install_browser.sh` (apt-get install chromium), or set CHROMIUM=/path/to/chrome")
    return exe

def check_python_deps():
    import importlib.util
    for mod, pkg in [("voila", "voila"), ("ipykernel", "ipykernel"), ("websocket", "websocket-client")]:
        if importlib.util.find_spec(mod) is None: _missing(f"the Python package {pkg}", f"pip install {pkg} into {sys.prefix}")

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); return s.getsockname()[1]

def wait_for_port(port, proc, log, deadline):
    while time.monotonic() < deadline:
        if proc.poll() is not None: pytest.fail(f"voila exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5): return
        except OSError: time.sleep(0.2)
    pytest.fail(f"voila did not listen on port {port} in time:\n{log.read_text()[-3000:]}")

def stop(proc):
    "Terminate `proc` and its process group (Voila's kernels, Chromium's helpers), then reap it"
    if proc is None or proc.poll() is not None: return
    try: os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError: return
    try: proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL); proc.wait(10)

def write_app(tmp:Path) -> Path:
    "The notebook Voila serves, and a kernelspec for this very Python (so the kernel imports the package under test)"
    kdir = tmp/"jupyter"/"kernels"/KERNEL; kdir.mkdir(parents=True)
    (kdir/"kernel.json").write_text(json.dumps({"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                                "display_name": "shape_sparsity (test)", "language": "python"}))
    nb = {"cells": [{"cell_type": "code", "id": "app", "metadata": {}, "execution_count": None, "outputs": [], "source": NOTEBOOK}],
          "metadata": {"kernelspec": {"name": KERNEL, "display_name": "shape_sparsity (test)", "language": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path = tmp/"app"/"compare_app.ipynb"; path.parent.mkdir()
    path.write_text(json.dumps(nb))
    return path

class Chrome:
    "Headless Chromium driven over the DevTools protocol (one page)"
    def __init__(self, exe, tmp:Path):
        import websocket
        ud = tmp/"chrome-profile"
        self.proc = subprocess.Popen([exe, *CHROME_FLAGS, f"--user-data-dir={ud}", "--remote-debugging-port=0", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=open(tmp/"chrome.log", "w"), start_new_session=True)
        port_file, t0 = ud/"DevToolsActivePort", time.monotonic()
        while not (port_file.exists() and len(port_file.read_text().split()) >= 2):
            if self.proc.poll() is not None or time.monotonic() - t0 > 30:
                pytest.fail(f"Chromium did not start:\n{(tmp/'chrome.log').read_text()[-3000:]}")
            time.sleep(0.05)
        port = port_file.read_text().split()[0]
        page = next(t for t in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json")) if t["type"] == "page")
        self.ws, self.n = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True), 0

    def call(self, method, **params):
        self.n += 1
        self.ws.send(json.dumps(dict(id=self.n, method=method, params=params)))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.n:
                if "error" in msg: raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]

    def js(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        if "exceptionDetails" in r: raise RuntimeError(f"JS error: {r['exceptionDetails']}")
        return r["result"].get("value")

    def screenshot(self, path):
        Path(path).write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))

    def close(self):
        try: self.ws.close()
        finally: stop(self.proc)

# What the page shows, gathered in the browser: text, HTML, and where things are drawn
PAGE_STATE = """JSON.stringify((() => {
  const q = s => Array.from(document.querySelectorAll(s));
  const box = e => { const r = e.getBoundingClientRect(); return {x: r.left, y: r.top, w: r.width, h: r.height}; };
  return {
    text: document.body ? document.body.innerText : "",
    html: document.documentElement ? document.documentElement.outerHTML : "",
    contenders: q(".contender").map(e => ({text: e.innerText, box: box(e),
      top: Array.from(e.querySelectorAll("table.predictions tr td:first-child")).map(td => td.textContent)})),
    maps: q(".topk-maps img").map(e => ({box: box(e), nw: e.naturalWidth, nh: e.naturalHeight, alt: e.alt,
                                          rendering: getComputedStyle(e).imageRendering})),
    summary: q(".kept-summary").map(e => e.innerText),
    shape_bias: q("table.shape-bias").map(e => e.textContent),
    sliders: q(".widget-slider, .jupyter-widget-slider").length,
    stderr: q("[data-mime-type='application/vnd.jupyter.stderr']").map(e => e.innerText).join(" / "),
    overflow: q(".jupyter-widgets, .jupyter-widgets *").filter(e => ["auto", "scroll"].includes(getComputedStyle(e).overflowX)
                                                               && e.scrollWidth > e.clientWidth + 1).map(e => e.className),
  };
})())"""

def expected_result():
    "What the library computes for the app's first view, in this process (not in Voila's kernel)"
    import matplotlib; matplotlib.use("Agg")
    from shape_sparsity.app.compare_app import demo_app
    from shape_sparsity.app.widgets import kept_fractions
    from shape_sparsity.testing import test_data_path
    app = demo_app(test_data_path("cue-conflict"), test_data_path("cue-conflict-responses"))
    r = app.last_result
    sel = app.layer_picker.value
    return dict(image=r.image_label, k=app.k.value, layer=sel, kept=kept_fractions(r.maps(sel[0])[1])[0],
                results={n: dict(top=[c for c, _ in x["predictions"]], decision=x["categories"][0][0]) for n, x in r.results.items()},
                bias=app.last_bias)

def render_app(tmp:Path, screenshot=None) -> dict:
    "Serve the app with Voila, load it in headless Chromium until it has rendered; the page state (and timings)"
    t0 = time.monotonic(); deadline = t0 + DEADLINE
    exe = find_browser(); check_python_deps()
    nb = write_app(tmp)
    from shape_sparsity.testing import test_data_path
    port, log = free_port(), tmp/"voila.log"
    env = {**os.environ, "JUPYTER_PATH": str(tmp/"jupyter"), "JUPYTER_CONFIG_DIR": str(tmp/"config"),
           "JUPYTER_DATA_DIR": str(tmp/"data"), "JUPYTER_RUNTIME_DIR": str(tmp/"runtime"), "MPLBACKEND": "Agg",
           "SHAPE_SPARSITY_DATA": str(test_data_path()), "PYTHONUNBUFFERED": "1"}
    voila = chrome = None
    try:
        voila = subprocess.Popen([sys.executable, "-m", "voila", str(nb), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
                                  "--show_tracebacks=True", f"--Voila.root_dir={nb.parent}"],
                                 cwd=nb.parent, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_port(port, voila, log, deadline)
        chrome = Chrome(exe, tmp)
        chrome.call("Page.navigate", url=f"http://127.0.0.1:{port}/")
        while True:
            try: state = json.loads(chrome.js(PAGE_STATE) or "{}")
            except RuntimeError: state = {}  # the page is between documents
            done = len(state.get("contenders", [])) >= 2 and len(state.get("maps", [])) >= 2 and "Loading widget" not in state.get("text", "")
            failed = "Traceback" in state.get("text", "") or "There was an error when executing cell" in state.get("text", "")
            if done or failed: break
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not render in {DEADLINE}s; page text:\n{state.get('text', '')[:2000]}\nvoila log:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        time.sleep(0.5)  # let the last layout settle, then read the final state
        state = json.loads(chrome.js(PAGE_STATE))
        state["render_s"] = time.monotonic() - t0
        (tmp/"dom.html").write_text(state["html"])
        if screenshot: chrome.screenshot(screenshot)
        return state
    finally:
        if chrome is not None: chrome.close()
        stop(voila)

def test_app_renders_in_browser(tmp_path):
    t0 = time.monotonic()
    shot = os.environ.get("SHAPE_SPARSITY_SCREENSHOT")
    s = render_app(tmp_path, shot)
    text, html = s["text"], s["html"]
    assert "Traceback" not in text and "Error" not in text, f"the app shows an error:\n{text[:3000]}"
    assert not s["stderr"], f"the page shows the kernel's stderr:\n{s['stderr']}"
    # the controls, with their labels and values
    for label in ["image", "upload image", "style", "upload style", "strength", "Top-K k", "networks", "Top-K layer",
                  "channel mean", "4 strongest channels", "compare", "shape bias"]:
        assert label in text, f"control {label!r} not on the page:\n{text[:2000]}"
    assert s["sliders"] >= 2 and "0.20" in text and "elephant/elephant4-clock3.png" in text
    # both networks' predictions, as the library computes them for the same image and settings
    exp = expected_result()
    assert exp["image"] == "elephant/elephant4-clock3.png" and exp["k"] == 0.2
    shown = {c["text"].split("\n")[0].split(" k=")[0].strip(): c for c in s["contenders"]}
    assert list(shown) == list(exp["results"]) == ["Lite0 (dense)", "Lite0 (Top-K)"], list(shown)
    for name, e in exp["results"].items():
        t = shown[name]["text"]
        assert shown[name]["top"] == e["top"], f"{name}: expected the top-5 classes {e['top']}, the page shows {shown[name]['top']}:\n{t}"
        assert f"16-category decision: {e['decision']}" in t, t
        assert "input: 224 px, bicubic, mean 0.5/0.5/0.5, std 0.5/0.5/0.5" in t, t  # Lite0's own preprocessing
    assert "k=0.20" in shown["Lite0 (Top-K)"]["text"]
    # the maps: labelled with what k sets, side by side, drawn at their own size with no smoothing
    assert len(s["summary"]) == 1 and f"kept per channel: {exp['kept']:.1%} of positions" in s["summary"][0], s["summary"]
    assert "positions active in any channel" in s["summary"][0]
    before, after = s["maps"][:2]
    assert "before" in before["alt"] and "after: kept per channel" in after["alt"]
    assert abs(before["box"]["y"] - after["box"]["y"]) < 2 and after["box"]["x"] >= before["box"]["x"] + before["box"]["w"], s["maps"]
    for m in (before, after):
        assert (m["box"]["w"], m["box"]["h"]) == (m["nw"], m["nh"]) == (224, 224), m  # not rescaled by the browser
        assert m["rendering"] == "pixelated", m
    # the predictions of the two networks next to each other, above the maps, inside a 1200 px window
    assert not s["overflow"], f"horizontal scroll bars in a 1200 px window: {s['overflow']}"
    a, b = (shown[n]["box"] for n in exp["results"])
    assert abs(a["y"] - b["y"]) < 2 and b["x"] >= a["x"] + a["w"] and b["x"] + b["w"] <= 1200, (a, b)
    assert before["box"]["y"] > max(a["y"] + a["h"], b["y"] + b["h"]) - 1
    # the shape-bias tab (rendered, though hidden behind its tab): shape bias with its CI and the cue share
    assert len(s["shape_bias"]) == 1 and "95% CI" in s["shape_bias"][0] and "cue share" in s["shape_bias"][0]
    for n, r in exp["bias"].iterrows():
        assert f"{n}{r.shape_bias:.2f} [{r.ci_low:.2f}, {r.ci_high:.2f}]{r.cue_share:.0%}" in s["shape_bias"][0], (n, s["shape_bias"][0])
    elapsed = time.monotonic() - t0
    print(f"rendered in {s['render_s']:.1f}s, whole test {elapsed:.1f}s")
    assert elapsed < 110, f"the browser test took {elapsed:.0f}s"

if __name__ == "__main__":
    import argparse
    p = argparse.ArgumentParser(description="Render the tutorial's offline app in headless Chromium and save a screenshot")
    p.add_argument("--screenshot", default=str(ROOT/"nbs"/"images"/"widgets_app.png"))
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as d:
        st = render_app(Path(d), a.screenshot)
    print(f"rendered in {st['render_s']:.1f}s; screenshot: {a.screenshot}")
