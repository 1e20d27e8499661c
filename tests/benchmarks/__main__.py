"""`python -m tests.benchmarks [name ...]`: run every tests/benchmarks/bench_*.py (or the named ones).

Each module exposes `run() -> dict[str, float | str]` and may print as it goes; this runner
prepares Django once on a throw-away database (a fresh SQLite file, or BENCH_DATABASE_URL,
migrated) so benchmarks never touch development data, then prints each result.
Environment: BENCH_DATABASE_URL (default: a temp SQLite file), BENCH_BROKER_URL (default:
Redis DB 3 if Redis answers on 127.0.0.1:6379, else the filesystem broker).
"""

import atexit
import importlib
import os
import pkgutil
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def setup() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="dispatch-bench-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["CELERY_BROKER_URL"] = os.environ.get("BENCH_BROKER_URL") or (
        "redis://127.0.0.1:6379/3" if _redis_up() else "filesystem://")
    os.environ["CELERY_BROKER_DIR"] = str(tmp / "broker")
    os.environ.setdefault("EMAIL_URL", "dummymail://")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("VAR_DIR", str(tmp))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def main(names: list[str]) -> int:
    here = Path(__file__).resolve().parent
    modules = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if names:
        unknown = set(names) - {n for m in modules for n in (m, m.removeprefix("bench_"))}
        if unknown:
            print(f"no such benchmark: {', '.join(sorted(unknown))} (have: {', '.join(modules)})", file=sys.stderr)
            return 2
        modules = [m for m in modules if m in names or m.removeprefix("bench_") in names]
    setup()
    failed = 0
    for name in modules:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        try:
            result = importlib.import_module(f"{__package__}.{name}").run()
        except Exception as exc:  # one broken benchmark must not hide the others
            failed += 1
            print(f"   FAILED: {exc!r}", flush=True)
            continue
        for key, value in (result or {}).items():
            print(f"   {key}: {value:.3f}" if isinstance(value, float) else f"   {key}: {value}", flush=True)
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
