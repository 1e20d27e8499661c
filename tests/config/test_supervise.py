"""config/supervise.py's rules: the Procfile it reads, the one environment every process
gets, and the back-off between restarts. (The processes themselves: tests/integration/test_make_run.py.)"""

import os
import threading
import time

import pytest

from config import supervise
from config.supervise import BACKOFF_MAX, next_delay, process_env, read_procfile
from tests.servers import ROOT


def test_it_reads_the_projects_procfile():
    assert [name for name, _ in read_procfile(ROOT / "Procfile")] == ["web", "worker", "beat"]


def test_it_refuses_a_line_that_is_not_name_colon_command(tmp_path):
    (tmp_path / "Procfile").write_text("# comment\n\nweb: run\nbroken line\n")
    with pytest.raises(ValueError, match="broken line"):
        read_procfile(tmp_path / "Procfile")


def test_every_process_gets_the_site_url_of_the_web_servers_port():
    env = process_env({"PORT": "8123", "PATH": "/bin"})
    assert env["SITE_URL"] == "http://127.0.0.1:8123"
    assert env["PORT"] == "8123"
    assert process_env({})["SITE_URL"] == "http://127.0.0.1:8000"


def test_a_site_url_that_is_set_wins():
    assert process_env({"PORT": "8123", "SITE_URL": "https://blog.example.com/"})["SITE_URL"] == "https://blog.example.com"


def test_the_back_off_doubles_up_to_its_ceiling_and_starts_again_after_a_healthy_run():
    delays = [0.0]
    for _ in range(8):
        delays.append(next_delay(delays[-1], ran_for=2))
    assert delays[1:] == [1, 2, 4, 8, 16, 30, 30, 30]
    assert max(delays) == BACKOFF_MAX
    assert next_delay(30, ran_for=120) == 1


def test_stopping_kills_every_process_of_a_group_that_ignores_sigterm(tmp_path, monkeypatch):
    # A process that ignores SIGTERM and has a child of its own (as a worker in a slow warm
    # shutdown, with its pool): after the grace period the whole group is killed, so
    # nothing outlives `make run`.
    monkeypatch.setattr(supervise, "STOP_GRACE", 1.0)
    pidfile = tmp_path / "child.pid"
    command = f"sh -c 'trap \"\" TERM; sleep 60 & echo $! > {pidfile}; wait; sleep 60'"
    supervisor = supervise.Supervisor([("stubborn", command)], {"PATH": os.environ["PATH"]},
                                      out=open(os.devnull, "w"))  # noqa: SIM115
    runner = threading.Thread(target=supervisor.run, daemon=True)
    runner.start()
    for _ in range(100):
        if pidfile.exists() and pidfile.read_text().strip():
            break
        time.sleep(0.05)
    child = int(pidfile.read_text())
    started = time.monotonic()
    supervisor.stop()
    runner.join(10)
    assert not runner.is_alive() and time.monotonic() - started < 8
    assert _gone(child)


def _gone(pid: int) -> bool:
    """Dead: no such process, or a zombie waiting for init to reap it."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True
