"""Speed figures for the kit, measured on this machine in one run. Prints a table; asserts nothing; exits 0.

    ./kit bench                 # or: .venv/bin/python benchmarks/run.py
    ./kit bench --quick         # fewer repeats (a rough look in about a minute)
    ./kit bench --only widget   # one section: notebooks, widget, scale, load

What is measured (medians of several repeats, interleaved so that a busy machine slows both sides alike):

(a) notebooks  each lesson notebook executed with nbclient (kernel start included), against the floor:
               a notebook that only starts the kernel and imports pandas, matplotlib, ipywidgets and
               iraqtalks, run just before every lesson; the reference is its median over all those
               runs. Target: at most 1.5x the floor.
(b) widget     one update of the timeline explorer (a filter or toggle changed from Python: selection,
               layout, drawing, PNG, detail list) on the kit's events, against a bare redraw of the
               same figure: the canvas drawn again with nothing changed, and encoded to PNG the same
               way (the least any redraw costs before the browser can show it). Target: at most 1.3x.
               The canvas draw alone is printed too, for reference.
(c) scale      the same update with 1 000, 10 000 and 100 000 synthetic events. Target: 100 000 events
               within 5x the update on the kit's events.
(d) load       load_all() from a cold cache (every table parsed, typed and checked, the evidence quotes
               found in the seeds) against plain pandas.read_csv of the same files. Target: at most 2x.
(e) setup      only with --setup (it downloads every package twice, from an empty cache): from a fresh
               clone to a JupyterLab that answers on its port, against the bare `uv pip install` of the
               same locked set. Target: at most 1.5x, and under 30 s. See benchmarks/setup_bench.py.
(f) hub        only with --hub (needs /usr/bin/chromium): a throw-away JupyterHub on 127.0.0.1 hands the
               student edition out with an nbgitpuller link; two students follow it in Chromium and run
               lesson 00. Prints the time from click to lesson, and the memory (RSS) of each student's
               server and kernel. No target. See benchmarks/hub_bench.py.
(g) latency    only with --latency (needs /usr/bin/chromium): in JupyterLab + Chromium, from a change of the
               explorer's actor menu to the new chart decoded and painted, median and 95th percentile over 30
               changes, against a bare ipywidgets Image receiving a PNG of the same size from the same kernel.
               Target: median at most 1.3x the floor, p95 under 250 ms. See benchmarks/latency_bench.py.
"""
from __future__ import annotations

import argparse
import gc
import io
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("PYTHONHASHSEED", "0")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

RESULTS: list[tuple[str, float, float, float, str]] = []  # (what, value s, reference s, target ratio, note)


def _median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _ms(s: float) -> str:
    return f"{s * 1000:8.1f} ms" if s < 10 else f"{s:8.2f} s "


# --------------------------------------------------------------------------- (a) notebooks


def bench_notebooks(repeat: int) -> None:
    import nbformat
    from nbclient import NotebookClient

    from iraqtalks.authoring.nav import lesson_files
    from iraqtalks.data.paths import NOTEBOOKS_DIR

    floor = nbformat.v4.new_notebook()
    floor.cells = [nbformat.v4.new_code_cell("import pandas, matplotlib, ipywidgets, iraqtalks")]
    floor.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    notebooks = {p.stem: nbformat.read(p, as_version=4) for p in lesson_files()}

    def run(nb) -> float:
        t = time.perf_counter()
        NotebookClient(nbformat.from_dict(nb), timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOKS_DIR)}}).execute()
        return time.perf_counter() - t

    times: dict[str, list[float]] = {"floor": [], **{k: [] for k in notebooks}}
    run(floor)  # warm-up: the first kernel start of a process is slower than the rest
    for _ in range(repeat):  # interleaved: floor, a notebook, floor, the next notebook ...
        for name, nb in notebooks.items():
            times["floor"].append(run(floor))
            times[name].append(run(nb))
    base = statistics.median(times["floor"])
    print(f"  notebook floor (kernel start + imports): {_ms(base)}", flush=True)
    for name in notebooks:
        RESULTS.append((f"(a) notebook {name}", statistics.median(times[name]), base, 1.5, "vs kernel + imports"))


# --------------------------------------------------------------------------- (b) and (c) the timeline widget

STATES = [dict(event_type="attack"), dict(event_type="__all__"), dict(mode="reported"), dict(mode="happened"),
          dict(lanes="type"), dict(lanes="actor"), dict(lang="vi"), dict(lang="en")]


def _update_times(x, repeat: int) -> tuple[float, float, float]:
    """Median seconds of: one explorer update, a bare redraw (draw + PNG) and a canvas draw alone."""
    from PIL import Image as PILImage

    fig = x.figure

    def bare_png() -> bytes:
        fig.canvas.draw()
        rgba = fig.canvas.buffer_rgba()
        buf = io.BytesIO()
        PILImage.frombuffer("RGBA", (rgba.shape[1], rgba.shape[0]), rgba, "raw", "RGBA", 0, 1).save(
            buf, format="png", compress_level=1)
        return buf.getvalue()

    upd, bare, canvas = [], [], []
    n = max(len(STATES), repeat)
    for i in range(n):  # after each update, redraw that same figure unchanged
        gc.collect()
        t = time.perf_counter()
        x.set_filters(**STATES[i % len(STATES)])
        upd.append(time.perf_counter() - t)
        t = time.perf_counter()
        bare_png()
        bare.append(time.perf_counter() - t)
        t = time.perf_counter()
        fig.canvas.draw()
        canvas.append(time.perf_counter() - t)
    return statistics.median(upd), statistics.median(bare), statistics.median(canvas)


def bench_widget(repeat: int) -> float:
    from iraqtalks.views.timeline import timeline_explorer

    x = timeline_explorer(dates="all")
    x.set_filters(**STATES[0])  # warm: fonts, caches
    upd, bare, canvas = _update_times(x, repeat)
    RESULTS.append(("(b) timeline update, kit events", upd, bare, 1.3,
                    f"vs draw+PNG; canvas.draw alone {canvas * 1000:.1f} ms"))
    return upd


def synthetic_tables(n: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    """n events in the kit's schema (12 actors, the kit's types, days and spans over five years), one
    report each from five articles."""
    from iraqtalks.data.descriptor import enum_labels

    rng = np.random.default_rng(seed)
    types = list(enum_labels("events", "event_type"))
    actors = [f"actor{k:02d}" for k in range(12)]
    start = pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 5 * 365, n), unit="D")
    is_range = rng.random(n) < 0.25
    end = start + pd.to_timedelta(np.where(is_range, rng.integers(1, 40, n), 0), unit="D")
    ids = [f"s{k:06d}" for k in range(n)]
    arts = [f"a{k:03d}" for k in range(5)]
    summary = [f"Synthetic event {k}" for k in range(n)]
    events = pd.DataFrame({
        "event_id": ids, "date_start": start, "date_end": end,
        "date_precision": np.where(is_range, "range", "day"), "date_note": "",
        "event_type": rng.choice(types, n), "actor1_id": rng.choice(actors, n),
        "actor2_id": np.where(rng.random(n) < 0.3, rng.choice(actors, n), ""), "location": "", "country": "",
        "summary_en": summary, "summary_vi": summary, "article_id": "", "evidence": "", "evidence_en": "",
    })
    reports = pd.DataFrame({"event_id": ids, "article_id": rng.choice(arts, n), "date_as_written": "",
                            "attributed_to": "", "evidence": summary, "evidence_en": summary})
    pub = pd.to_datetime("2025-01-01") + pd.to_timedelta(np.arange(5), unit="D")
    articles = pd.DataFrame({"article_id": arts, "label_en": [f"Article {a}" for a in arts],
                             "published_start": pub, "published_end": pub})
    actor_df = pd.DataFrame({"actor_id": actors, "name_en": [f"Actor {a[-2:]}" for a in actors]})
    return {"events": events, "reports": reports, "articles": articles, "actors": actor_df}


def bench_scale(repeat: int, kit_update: float) -> None:
    from iraqtalks.views.timeline import timeline_explorer

    for n in (1_000, 10_000, 100_000):
        t = synthetic_tables(n)
        t0 = time.perf_counter()
        x = timeline_explorer(events=t["events"], reports=t["reports"], articles=t["articles"], actors=t["actors"],
                              dates="all")
        built = time.perf_counter() - t0
        x.set_filters(**STATES[0])
        upd, _, _ = _update_times(x, max(3, repeat // 2) if n == 100_000 else repeat)
        target = 5.0 if n == 100_000 else float("nan")
        RESULTS.append((f"(c) timeline update, {n:,} events", upd, kit_update, target,
                        f"vs kit-size update; built in {built:.2f} s"))
        del x, t
        gc.collect()


# --------------------------------------------------------------------------- (d) loading


def _cold() -> None:
    """Forget everything the loader has cached (parsed files, checks, typed tables, seeds)."""
    from iraqtalks.data import csvtext as csvtext
    from iraqtalks.data import descriptor as descriptor
    from iraqtalks.data import loader as loader
    from iraqtalks.data import problems as problems
    from iraqtalks.data import seeds

    for cache in (descriptor._PKG_CACHE, csvtext._PARSE_CACHE, loader._CHECK_CACHE, loader._LOAD_CACHE):
        cache.clear()
    seeds._read.cache_clear()
    problems._display_from.cache_clear()
    loader._category_dtype.cache_clear()


def bench_load(repeat: int) -> None:
    from iraqtalks.data.descriptor import read_package
    from iraqtalks.data.loader import load_all
    from iraqtalks.data.paths import DATA_DIR

    files = [DATA_DIR / r["path"] for r in read_package()["resources"]]

    def plain():
        for f in files:
            pd.read_csv(f)

    def kit():
        _cold()
        load_all()

    kit(), plain()  # warm the imports and the OS file cache for both
    k, p = [], []
    for _ in range(repeat):
        k.append(_median_time(kit, 1))
        p.append(_median_time(plain, 1))
    RESULTS.append(("(d) load_all, cold cache", statistics.median(k), statistics.median(p), 2.0,
                    f"vs pandas.read_csv of the same {len(files)} files"))


# --------------------------------------------------------------------------- report


def report() -> None:
    print()
    print(f"{'measure':<42} {'time':>11} {'reference':>11} {'ratio':>7} {'target':>7}  result  note")
    print("-" * 120)
    for what, value, ref, target, note in RESULTS:
        ratio = value / ref if ref else float("nan")
        if np.isnan(ref):  # a figure without a reference: time only
            print(f"{what:<42} {_ms(value):>11} {'-':>11} {'-':>7} {'-':>7}  {'  -':<6}  {note}")
            continue
        if np.isnan(target):
            verdict, shown = "  -  ", "   -   "
        else:
            verdict, shown = ("PASS" if ratio <= target else "MISS"), f"≤{target:.1f}x"
        print(f"{what:<42} {_ms(value):>11} {_ms(ref):>11} {ratio:6.2f}x {shown:>7}  {verdict:<6}  {note}")
    print()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--only", choices=["notebooks", "widget", "scale", "load"], action="append",
                    help="run only these sections (repeatable)")
    ap.add_argument("--setup", action="store_true", help="also measure the first set-up (downloads, ~1 min)")
    ap.add_argument("--setup-no-uv", action="store_true", help="with --setup: hide uv, so the kit installs it")
    ap.add_argument("--setup-pip", action="store_true", help="with --setup: also time a plain pip install")
    ap.add_argument("--latency", action="store_true",
                    help="measure in Chromium: a menu change to the new chart on screen, against a bare Image (~2 min)")
    ap.add_argument("--hub", action="store_true",
                    help="measure a JupyterHub class: two students, time and memory per server and kernel (~2 min)")
    args = ap.parse_args(argv)
    sections = args.only or ["notebooks", "widget", "scale", "load"]
    if args.setup or args.setup_no_uv or args.setup_pip:
        sections = [*(args.only or []), "setup"]
    if args.hub:
        sections = [*(sections if (args.only or "setup" in sections) else []), "hub"]
    if args.latency:
        sections = [*(sections if (args.only or "setup" in sections or "hub" in sections) else []), "latency"]
    nb_repeat, repeat = (1, 8) if args.quick else (5, 24)
    print(f"Benchmarks on {os.cpu_count()} cores, Python {sys.version.split()[0]}, pandas {pd.__version__}; "
          f"sections: {', '.join(sections)}", flush=True)
    kit_update = None
    if "widget" in sections or "scale" in sections:
        print("  (b) timeline widget ...", flush=True)
        kit_update = bench_widget(repeat)
        if "widget" not in sections:
            RESULTS.pop()
    if "scale" in sections:
        print("  (c) 1 000 / 10 000 / 100 000 events ...", flush=True)
        bench_scale(repeat, kit_update)
    if "load" in sections:
        print("  (d) load and validate ...", flush=True)
        bench_load(5 if args.quick else 15)
    if "setup" in sections:
        from setup_bench import bench_setup

        print("  (e) first set-up from an empty cache ...", flush=True)
        bench_setup(RESULTS, hide_uv=args.setup_no_uv, with_pip=args.setup_pip)
    hub_lines: list[str] = []
    if "hub" in sections:
        from hub_bench import bench_hub

        print("  (f) a class on JupyterHub: two students through the pull link ...", flush=True)
        hub_lines = bench_hub(RESULTS)
    if "latency" in sections:
        from latency_bench import bench_latency

        print("  (g) browser latency: a menu change to the new chart on screen ...", flush=True)
        hub_lines += bench_latency(RESULTS)
    if "notebooks" in sections:
        print("  (a) lesson notebooks ...", flush=True)
        bench_notebooks(nb_repeat)
    report()
    for line in hub_lines:
        print(line)
    if hub_lines:
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
