"""Serve a notebook's app with Voila and look at it in headless Chromium, as a person would.

Used by tests/test_widgets_browser.py (rendered text of the page) and to make the README screenshot:

    python tools/browser_app.py --screenshot nbs/images/widgets_app.png

Chromium is driven over its DevTools protocol (with the `websockets` package that Jupyter already brings): open the
page, wait until the widgets have rendered the expected text (the app runs in a Jupyter kernel after the page has
loaded, so `--dump-dom` alone reads the page too early), then read the text and take a screenshot.
"""
import argparse, base64, contextlib, json, os, shutil, socket, subprocess, sys, tempfile, time, urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_CODE = '''from shape_sparsity.data import cue_conflict_items
from shape_sparsity.widgets import CompareApp
from shape_sparsity.testing import test_data_path
items = cue_conflict_items(test_data_path("cue-conflict"))
few = items[items.imagename.isin(["cat2-elephant1.png", "truck2-airplane3.png"])]
app = CompareApp(few, style=0, strength=0.5)  # the offline default: EfficientNet-Lite0 dense vs Top-K
app.show()'''

def browser() -> str:
    "Path of a Chromium binary, or a clear error saying how to get one"
    b = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not b: raise FileNotFoundError("no chromium on PATH: run `bash tools/install_browser.sh` (Debian's chromium package)")
    return b

def free_port() -> int:
    with socket.socket() as s: s.bind(("127.0.0.1", 0)); return s.getsockname()[1]

def wait_http(url, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        try: urllib.request.urlopen(url, timeout=2); return
        except OSError: time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout}s")

def write_app_notebook(path:Path, code:str=APP_CODE) -> Path:
    import nbformat
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]), str(path))
    return path

@contextlib.contextmanager
def serve(notebook:Path, env=None):
    "Voila serving `notebook` on a free localhost port; yields the URL; stops the server afterwards"
    voila = shutil.which("voila") or str(Path(sys.executable).parent/"voila")
    if not Path(voila).exists(): raise FileNotFoundError("voila is not installed: pip install 'shape_sparsity[tutorials]'")
    port = free_port()
    log = open(Path(notebook).parent/"voila.log", "w")
    p = subprocess.Popen([voila, str(notebook), f"--port={port}", "--no-browser", "--Voila.ip=127.0.0.1"],
                         cwd=Path(notebook).parent, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_http(url)
        yield url
    finally:
        p.terminate()
        try: p.wait(10)
        except subprocess.TimeoutExpired: p.kill()
        log.close()

def look(url:str, expect:list, timeout:float=120, screenshot:Path|None=None, size=(1300, 1500)) -> str:
    "Open `url` in headless Chromium, wait until the page's text holds every string in `expect`; returns that text"
    from websockets.sync.client import connect
    port = free_port()
    with tempfile.TemporaryDirectory() as prof:
        ch = subprocess.Popen([browser(), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                               "--disable-component-update", "--no-first-run", "--disable-sync", f"--user-data-dir={prof}",
                               f"--remote-debugging-port={port}", "--remote-allow-origins=*", "about:blank"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_http(f"http://127.0.0.1:{port}/json/version", 30)
            page = next(t for t in json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json")) if t["type"] == "page")
            with connect(page["webSocketDebuggerUrl"], max_size=2**27) as ws:
                n = 0
                def call(method, **params):
                    nonlocal n; n += 1
                    ws.send(json.dumps(dict(id=n, method=method, params=params)))
                    while True:
                        m = json.loads(ws.recv())
                        if m.get("id") == n: return m.get("result", {})
                call("Emulation.setDeviceMetricsOverride", width=size[0], height=size[1], deviceScaleFactor=1, mobile=False)
                call("Page.navigate", url=url)
                end, text = time.time() + timeout, ""
                while time.time() < end:
                    text = call("Runtime.evaluate", expression="document.body ? document.body.innerText : ''", returnByValue=True)["result"].get("value", "")
                    if all(e in text for e in expect): break
                    time.sleep(1)
                else: raise TimeoutError(f"after {timeout}s the page lacks {[e for e in expect if e not in text]}; it shows:\n{text[:2000]}")
                time.sleep(2)  # let the images of the last update paint
                if screenshot is not None:
                    png = call("Page.captureScreenshot", format="png")["data"]
                    Path(screenshot).write_bytes(base64.b64decode(png))
                return call("Runtime.evaluate", expression="document.body.innerText", returnByValue=True)["result"]["value"]
        finally:
            ch.terminate()
            try: ch.wait(10)
            except subprocess.TimeoutExpired: ch.kill()

EXPECT = ["Lite0 (dense)", "Lite0 (Top-K)", "kept per channel", "strength", "image"]

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--screenshot", default=str(ROOT/"nbs"/"images"/"widgets_app.png"))
    a = p.parse_args()
    env = {**os.environ, "SHAPE_SPARSITY_OFFLINE": "1", "MPLBACKEND": "Agg"}
    with tempfile.TemporaryDirectory() as d:
        nb = write_app_notebook(Path(d)/"app.ipynb")
        with serve(nb, env) as url: text = look(url, EXPECT, screenshot=a.screenshot)
    print(text[:3000]); print(f"\nsaved {a.screenshot}")

if __name__ == "__main__": main()
