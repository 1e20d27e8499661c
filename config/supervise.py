"""`make run`'s process supervisor: `python -m config.supervise [Procfile]`.

Runs every `name: command` line of the Procfile (web, worker, beat) and keeps them up on
their own: a process that exits is started again after a back-off (1 s, doubling to 30 s;
back to 1 s once it has run for a minute), and the log says so. One crashed worker never
takes the web server down with it, as honcho did (honcho stops everything when one
process exits). Ctrl-C or SIGTERM stops them all: SIGTERM to each process group, and SIGKILL
to any group with a process left after 10 s (a worker in a slow warm shutdown, its pool).

Every process gets the same environment: `PORT` (default 8000) and `SITE_URL`, derived
once from it here (`http://127.0.0.1:$PORT` unless set), so the links a worker puts in a
mail point at the web server. (honcho gave each process its own PORT: the worker's was
the web's + 100.) Output lines carry the process's name. Imports nothing from Dispatch.
"""

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 30.0
HEALTHY_AFTER = 60.0  # seconds of running after which the back-off starts again from the first
STOP_GRACE = 10.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def read_procfile(path: Path) -> list[tuple[str, str]]:
    """The (name, command) pairs of a Procfile, in order; blank lines and # comments skipped."""
    processes = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, command = line.partition(":")
        if not sep or not name.strip() or not command.strip():
            raise ValueError(f"{path}: not a `name: command` line: {line!r}")
        processes.append((name.strip(), command.strip()))
    return processes


def process_env(environ: dict[str, str]) -> dict[str, str]:
    """The one environment of every process: PORT and the SITE_URL built from it."""
    env = dict(environ)
    env["PORT"] = env.get("PORT") or "8000"
    env["SITE_URL"] = (env.get("SITE_URL") or f"http://127.0.0.1:{env['PORT']}").rstrip("/")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def next_delay(previous: float, ran_for: float) -> float:
    """The wait before a restart: doubling from BACKOFF_FIRST up to BACKOFF_MAX, and from
    the first again after a process that ran HEALTHY_AFTER seconds or more."""
    if ran_for >= HEALTHY_AFTER or previous <= 0:
        return BACKOFF_FIRST
    return min(previous * 2, BACKOFF_MAX)


class Supervisor:
    def __init__(self, processes: list[tuple[str, str]], env: dict[str, str], out=None):
        self.processes = processes
        self.env = env
        self.out = out or sys.stdout
        self.width = max(len(name) for name, _ in processes)
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.running: dict[str, subprocess.Popen] = {}

    def log(self, name: str, text: str) -> None:
        with self.lock:
            self.out.write(f"{time.strftime('%H:%M:%S')} {name:<{self.width}} | {text}\n")
            self.out.flush()

    def keep_running(self, name: str, command: str) -> None:
        delay = 0.0
        while not self.stopping.is_set():
            started = time.monotonic()
            with self.lock:
                if self.stopping.is_set():
                    return
                # `exec`: the shell becomes the command, so its pid is the process we watch.
                proc = subprocess.Popen(  # noqa: S602 (the Procfile's own command lines)
                    f"exec {command}", shell=True, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=_die_with_parent,
                )
                self.running[name] = proc
            self.log("system", f"{name} started (pid {proc.pid})")
            for raw in proc.stdout:
                self.log(name, raw.decode(errors="replace").rstrip("\n"))
            code = proc.wait()
            if self.stopping.is_set():
                return
            delay = next_delay(delay, time.monotonic() - started)
            self.log("system", f"{name} exited with code {code}; restarting it in {delay:g} s "
                               "(the other processes keep running)")
            self.stopping.wait(delay)

    def run(self) -> int:
        threads = [threading.Thread(target=self.keep_running, args=p, daemon=True) for p in self.processes]
        for thread in threads:
            thread.start()
        self.stopping.wait()
        self.stop_all()
        for thread in threads:
            thread.join(STOP_GRACE + 5)
        return 0

    def stop(self, signum=None, frame=None) -> None:
        self.stopping.set()

    def stop_all(self) -> None:
        """SIGTERM to each process group, then wait until every process of every group is
        gone (a worker's pool children too, not only the process we started), SIGKILL
        what is left after STOP_GRACE. So nothing outlives `make run`."""
        with self.lock:
            procs = dict(self.running)
        self.log("system", "stopping " + ", ".join(procs))
        for proc in procs.values():
            signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        while time.monotonic() < deadline and any(group_alive(proc) for proc in procs.values()):
            time.sleep(0.1)
        for name, proc in procs.items():
            if group_alive(proc):
                self.log("system", f"{name} did not stop in {STOP_GRACE:g} s: killing it")
                signal_group(proc, signal.SIGKILL)
            proc.wait()


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM it if the supervisor dies without stopping it
    (a SIGKILL), so no orphan keeps the port or the queue. Linux only; elsewhere a no-op."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def group_alive(proc: subprocess.Popen) -> bool:
    """True while any process of `proc`'s group (its own session) still runs."""
    proc.poll()  # reap our own child if it has exited, so a zombie does not count
    try:
        os.killpg(proc.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def signal_group(proc: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signum)


def main(argv: list[str]) -> int:
    procfile = Path(argv[1] if len(argv) > 1 else "Procfile")
    supervisor = Supervisor(read_procfile(procfile), process_env(os.environ))
    signal.signal(signal.SIGINT, supervisor.stop)
    signal.signal(signal.SIGTERM, supervisor.stop)
    supervisor.log("system", f"site at {supervisor.env['SITE_URL']}/ (Ctrl-C stops everything)")
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
