"""The side-by-side table of issue #14: Dispatch and its peers (WordPress on nginx + PHP-FPM
+ MariaDB, with its default block theme and with the classic theme Twenty Twenty-One;
django-comments-xtd), the same post shapes (tests/benchmarks/shapes.py: 100 and 1,000
approved comments), loopback only, bounded: per page, 50 sequential GETs (median ms: one
busy moment on a shared machine does not move it) and `wrk -t2 -c4 -d10s` (req/s), and the
page's weight. Targets against WordPress are checked against the faster of its two themes.

Dispatch runs under gunicorn (2 workers, DEBUG off) twice: once with the dummy cache (every
GET is a full, uncached render) and once with local memory (anonymous pages cached whole).
Peers are set up once by `make bench-peers-setup` (tests/benchmarks/peers/); each writes
var/bench-peers/<peer>/urls.json ({"base", "100", "1000", "trivial"}); a peer that is not
set up or not answering is reported missing and its rows are left out.

The JSON goes to var/bench/side-by-side.json and the table to docs/benchmarks.md."""

import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from tests.benchmarks.bench_post_page import discussion_all_on_one_page, seed_post

ROOT = Path(__file__).resolve().parents[2]
PEERS_DIR = ROOT / "var" / "bench-peers"
OUT_JSON = ROOT / "var" / "bench" / "side-by-side.json"
DOC = ROOT / "docs" / "benchmarks.md"
GETS = 50
GET_BUDGET_SECONDS = 60  # a slow peer gets fewer sequential GETs (the count is recorded)
WRK = ["-t2", "-c4", "-d10s"]  # plus --timeout 30s
PEERS = {"wordpress": "WordPress", "wordpress-classic": "WordPress (classic theme)", "xtd": "django-comments-xtd"}
WORDPRESS = ("wordpress", "wordpress-classic")
ROWS = [("100", "100 comments, uncached"), ("1000", "1,000 comments, full render, uncached"),
        ("1000 cached", "1,000 comments, page cached"), ("trivial", "trivial view on the same server"),
        ("trivial same size", "trivial view answering as many bytes as the cached page")]
TARGETS = "≥ 5× WordPress's and ≥ 10× django-comments-xtd's req/s uncached at 1,000; ≤ 25 µs per comment; " \
          "a page no heavier than WordPress's; cached ≥ 50% of the trivial view"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 (loopback URLs only)
        return response.read()


def measure(url: str) -> dict:
    """Sequential GETs (median ms; 50, or fewer if they pass GET_BUDGET_SECONDS), wrk's req/s,
    the page's bytes."""
    body = _get(url)
    times = []
    budget = time.monotonic() + GET_BUDGET_SECONDS
    while len(times) < GETS and (len(times) < 3 or time.monotonic() < budget):
        started = time.perf_counter()
        _get(url)
        times.append(time.perf_counter() - started)
    row = {"ms": round(statistics.median(times) * 1000, 2), "gets": len(times), "bytes": len(body), "req_s": None}
    wrk = shutil.which("wrk")
    if wrk:
        out = subprocess.run([wrk, *WRK, "--timeout", "30s", url], capture_output=True, text=True, timeout=90).stdout
        found = re.search(r"Requests/sec:\s+([\d.]+)", out)
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        row["req_s"] = float(found.group(1)) if found else None
        if errors:
            row["non_2xx"] = int(errors.group(1))
    return row


def _server_env(cache_url: str) -> dict:
    return {**os.environ, "DEBUG": "0", "SECURE_SSL_REDIRECT": "0", "CACHE_URL": cache_url, "ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SETTINGS_MODULE": "tests.benchmarks.settings", "LOG_LEVEL": "WARNING",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-" + "x" * 50}


class Gunicorn:
    """Dispatch under gunicorn on a free loopback port, with the given cache."""

    def __init__(self, cache_url: str):
        self.port = _free_port()
        env = _server_env(cache_url)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
             "config.wsgi:application"], cwd=ROOT, env=env, start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                _get(f"{self.base}/bench/hello/")
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 30 s")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)


def dispatch_rows() -> dict:
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT,
                   env=_server_env("dummycache://"), check=True, timeout=300)  # whitenoise's manifest, DEBUG off
    discussion_all_on_one_page()
    urls = {str(n): seed_post(n, prefix="side").get_absolute_url() for n in (100, 1000)}
    rows = {}
    server = Gunicorn("dummycache://")
    try:
        rows["100"] = measure(server.base + urls["100"])
        rows["1000"] = measure(server.base + urls["1000"])
    finally:
        server.stop()
    server = Gunicorn("locmemcache://bench")
    try:
        rows["1000 cached"] = measure(server.base + urls["1000"])
        rows["trivial"] = measure(server.base + "/bench/hello/")
        # The cost of the bytes alone: the same trivial view, answering the cached page's weight.
        rows["trivial same size"] = measure(f"{server.base}/bench/bytes/{rows['1000 cached']['bytes']}/")
    finally:
        server.stop()
    return rows


def peer_rows(peer: str) -> dict | str:
    """The peer's rows, or why there are none."""
    spec = PEERS_DIR / peer / "urls.json"
    if not spec.exists():
        return "not set up (run `make bench-peers-setup`)"
    urls = json.loads(spec.read_text())
    try:
        _get(urls["base"] + urls["trivial"])
    except OSError as exc:
        return f"set up but not answering at {urls['base']} ({exc}); run `make bench-peers-setup` again"
    try:
        return {key: measure(urls["base"] + urls[key]) for key in ("100", "1000", "trivial")}
    except (OSError, subprocess.SubprocessError) as exc:  # a peer that fails must not hide the others
        return f"failed while measuring: {exc!r}"


def slope_us(rows: dict) -> float | None:
    if "100" in rows and "1000" in rows:
        return round((rows["1000"]["ms"] - rows["100"]["ms"]) / 900 * 1000, 1)
    return None


def _cell(row: dict | None) -> str:
    if not row:
        return "–"
    rps = row.get("req_s")
    req = "" if rps is None else f" · {rps:,.1f} req/s" if rps < 10 else f" · {rps:,.0f} req/s"
    weight = f" · {row['bytes'] / 1e6:.2f} MB" if row["bytes"] > 100_000 else ""
    return f"{row['ms']:.1f} ms{req}{weight}"


def ratios(results: dict) -> dict:
    ours = results["dispatch"]
    out = {}

    def rps(rows, key):
        return (rows.get(key) or {}).get("req_s") if isinstance(rows, dict) else None

    for peer in PEERS:
        theirs = results.get(peer)
        if isinstance(theirs, dict) and rps(ours, "1000") and rps(theirs, "1000"):
            out[f"1,000 uncached req/s, Dispatch ÷ {PEERS[peer]}"] = round(rps(ours, "1000") / rps(theirs, "1000"), 2)
            out[f"1,000 page weight, Dispatch ÷ {PEERS[peer]}"] = round(
                ours["1000"]["bytes"] / theirs["1000"]["bytes"], 2)
    if rps(ours, "1000 cached") and rps(ours, "trivial"):
        out["cached page ÷ trivial view (req/s)"] = round(rps(ours, "1000 cached") / rps(ours, "trivial"), 2)
    if rps(ours, "1000 cached") and rps(ours, "trivial same size"):
        out["cached page ÷ trivial view of the same weight (req/s)"] = round(
            rps(ours, "1000 cached") / rps(ours, "trivial same size"), 2)
    return out


def table(results: dict) -> str:
    present = [p for p in PEERS if isinstance(results.get(p), dict)]
    head = "| page | " + " | ".join([PEERS[p] for p in present] + ["Dispatch"]) + " |"
    lines = [head, "|---" * (len(present) + 2) + "|"]
    for key, label in ROWS:
        cells = [_cell(results[p].get(key)) for p in present] + [_cell(results["dispatch"].get(key))]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
        if key == "1000":
            slopes = [slope_us(results[p]) for p in present] + [slope_us(results["dispatch"])]
            lines.append("| per comment (slope) | " + " | ".join(
                "–" if s is None else f"≈ {s:.0f} µs" for s in slopes) + " |")
    return "\n".join(lines)


def _versions() -> dict:
    import django

    out = {"python": platform.python_version(), "django": django.get_version()}
    for name, cmd in (("wrk", ["wrk", "--version"]), ("mariadb", ["mysql", "--version"])):
        try:
            text = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
            out[name] = (text.stdout or text.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            out[name] = "not installed"
    for peer in PEERS:
        spec = PEERS_DIR / peer / "urls.json"
        if spec.exists():
            out[PEERS[peer]] = json.loads(spec.read_text()).get("version", "?")
    return out


def _machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu}), load {os.getloadavg()[0]:.1f}"


def target_status(report: dict) -> list[str]:
    """Each target of issue #14: met, or missed and by how much (from this run's figures)."""
    r, out = report["ratios"], []

    def check(label, value, goal, higher=True, unit=""):
        if value is None:
            out.append(f"{label}: not measured in this run")
            return
        met = value >= goal if higher else value <= goal
        out.append(f"{label}: {value:g}{unit} against {goal:g}{unit} — " + (
            "met" if met else f"missed by {goal / value if higher else value / goal:.1f}×"))

    # Against WordPress: its faster theme (the smaller ratio) and its lighter page (the larger).
    wp_speed = [r[k] for p in WORDPRESS if (k := f"1,000 uncached req/s, Dispatch ÷ {PEERS[p]}") in r]
    wp_weight = [r[k] for p in WORDPRESS if (k := f"1,000 page weight, Dispatch ÷ {PEERS[p]}") in r]
    check("req/s vs WordPress (its faster theme) at 1,000, uncached", min(wp_speed, default=None), 5)
    check("req/s vs django-comments-xtd at 1,000, uncached",
          r.get("1,000 uncached req/s, Dispatch ÷ django-comments-xtd"), 10)
    check("per comment", report["slopes_us"].get("dispatch"), 25, higher=False, unit=" µs")
    check("page weight vs WordPress (its lighter page)", max(wp_weight, default=None), 1, higher=False)
    check("cached page vs trivial view", r.get("cached page ÷ trivial view (req/s)"), 0.5)
    return out


PROFILE_NOTE = """What the profile shows (issue #14, after the second round): an uncached 1,000-comment
page costs about 23 ms in process, 16 ms of it the post page around the thread, which does
not grow with the comments (the comment form's widgets rendered through Django's form
templates, the post's queries, SEO blocks). The thread itself is one raw query (about
3 ms: SQLite's stored timestamps read as text, no converters) and one f-string per comment
(about 6 µs each: author blocks and date words built once per author and per day), built
in one pass without a tree and spliced into the encoded page once instead of being copied
through every template level. A cached anonymous page is answered by the first middleware
(blog.page_cache.EarlyPageMiddleware) with no query: two short cache reads and the
process's copy of the page, about 0.1 ms in process, less than the trivial view's full
middleware stack. Under wrk what remains is moving 1.3 MB per response over loopback on
the same two cores as wrk (the last row: the trivial view answering that many bytes is
slower than the cached page; a bare WSGI app answering them ran at about the cached page's
rate, and sendfile did not raise it): the 100-comment page (0.14 MB) cached is served faster
than the trivial view, and the 1,000-comment ratio is set by the page's weight and moves
with the machine's load.
WordPress is Debian's 6.1 package, measured twice on the same site and server: with the
theme it ships as default, the block theme Twenty Twenty-Three, which renders every comment
through blocks (about 3 ms each here), and with the classic theme Twenty Twenty-One
(Debian's wordpress-theme-twentytwentyone), whose comment walker is about ten times faster;
the targets are checked against the faster. Run on a shared 2-core machine: compare ratios
from one run, not absolute figures."""


def write_doc(report: dict) -> None:
    missing = "".join(f"- {PEERS[p]}: {why}\n" for p, why in report["missing"].items())
    ratios_md = "".join(f"- {k}: **{v}**\n" for k, v in report["ratios"].items()) or "- (no peer measured)\n"
    status_md = "".join(f"- {line}\n" for line in target_status(report))
    DOC.write_text(f"""# Benchmarks: Dispatch side by side

Regenerated by `make bench` (tests/benchmarks/bench_side_by_side.py); the raw figures are in
`var/bench/side-by-side.json`. Peers are installed once with `make bench-peers-setup`
(tests/benchmarks/peers/). All serve the same post shapes (tests/benchmarks/shapes.py:
100 and 1,000 approved comments, 30% top-level, replies 3 deep, bodies of 200–600 characters,
one seed), loopback only: per page {GETS} sequential GETs (median) and `wrk {' '.join(WRK)}` (req/s).
Dispatch: gunicorn with 2 workers, DEBUG off, SQLite; "uncached" runs with the dummy cache
(every GET a full render), "page cached" with local memory. The last row is the trivial view
answering as many bytes as the cached page: what moving that weight alone costs this server.

- Date: {report['date']}
- Machine: {report['machine']}
- Versions: {", ".join(f"{k} {v}" for k, v in report['versions'].items())}

{report['table']}

Ratios measured in this run:

{ratios_md}
Targets (issue #14): {TARGETS}.

{status_md}
{PROFILE_NOTE}

Missing peers in this run:

{missing or "- none"}
""")


def run() -> dict:
    results: dict = {"dispatch": dispatch_rows()}
    missing = {}
    for peer in PEERS:
        rows = peer_rows(peer)
        if isinstance(rows, dict):
            results[peer] = rows
        else:
            missing[peer] = rows
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": _machine(), "versions": _versions(),
        "results": results, "slopes_us": {k: slope_us(v) for k, v in results.items()},
        "ratios": ratios(results), "missing": missing, "table": table(results),
    }
    OUT_JSON.parent.mkdir(parents=True, exist_ok=True)
    OUT_JSON.write_text(json.dumps(report, indent=2))
    write_doc(report)
    print(report["table"], flush=True)
    for name, why in missing.items():
        print(f"   {PEERS[name]} missing: {why}", flush=True)
    return {**report["ratios"], "json": str(OUT_JSON.relative_to(ROOT)), "doc": str(DOC.relative_to(ROOT))}
