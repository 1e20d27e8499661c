"""Real server processes for the worker, fault, scale-out and load tests, all on loopback.

`RedisServer` (a private redis-server on a free port, which a test may kill and start
again), `WebServer` (gunicorn serving config.wsgi), `Commenter` (a reader posting through
the real form: page, CSRF token, POST), and the small waiting helpers. Every process is
bounded by the caller's own time limits and stopped by its `stop()`.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, *, timeout: float = 30, every: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class RedisServer:
    """A private redis-server on 127.0.0.1:`port`, no persistence: kill() loses its queue,
    as a crashed broker without AOF would."""

    def __init__(self, workdir: Path, port: int | None = None):
        self.port = port or free_port()
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir), "--logfile", str(self.workdir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: port_open(self.port), timeout=10, what=f"redis-server on {self.port}")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        wait_for(lambda: not port_open(self.port), timeout=10, what="redis-server to be gone")

    stop = kill


def rabbitmq_bin(name: str) -> str | None:
    """A RabbitMQ script (rabbitmq-server) from the package's own folder, not /usr/sbin's
    wrapper, which switches to the rabbitmq user and the system node's settings."""
    found = Path("/usr/lib/rabbitmq/bin") / name
    return str(found) if found.exists() else shutil.which(name)


class RabbitServer:
    """A private RabbitMQ node on 127.0.0.1:`port`, all its state in `workdir`: its own node
    name, AMQP and distribution ports, epmd port, Erlang cookie (HOME), config, Mnesia and
    logs, no plugins. The machine's broker (5672) and its epmd are never touched.

    kill() is SIGKILL to the node (a crash: no clean shutdown, whatever was not yet on disk is
    lost); start() boots it again on the same ports and data, as a restarted broker would.
    destroy() kills the node and the epmd it started."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port, self.dist_port, self.epmd_port = free_port(), free_port(), free_port()
        (workdir / "rabbitmq.conf").write_text(f"listeners.tcp.1 = 127.0.0.1:{self.port}\n")
        (workdir / "enabled_plugins").write_text("")
        (workdir / "rabbitmq-env.conf").write_text("")  # not /etc/rabbitmq's (the system node's name)
        self.env = {
            **os.environ,
            "HOME": str(workdir),  # the node's own .erlang.cookie
            "ERL_EPMD_PORT": str(self.epmd_port),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODENAME": f"dispatch-fault-{os.getpid()}-{self.port}@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONFIG_FILE": str(workdir / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(workdir / "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": str(workdir / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(workdir / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(workdir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(workdir / "log"),
        }
        self.proc: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def log(self) -> str:
        return (self.workdir / "server.log").read_text(errors="replace")

    def start(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603
            [rabbitmq_bin("rabbitmq-server")], cwd=self.workdir, env=self.env,
            stdout=(self.workdir / "server.log").open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_for(lambda: port_open(self.port) or self.proc.poll() is not None, timeout=60,
                 what=f"RabbitMQ on {self.port}")
        if self.proc.poll() is not None:
            raise AssertionError(f"rabbitmq-server exited at start:\n{self.log()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the node (its process group: the start script and the Erlang VM)."""
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        wait_for(lambda: not port_open(self.port), timeout=10, what="RabbitMQ to be gone")

    def destroy(self) -> None:
        self.kill()
        epmd = shutil.which("epmd")
        if epmd:  # the node started this epmd on its private port; nothing else is registered there
            subprocess.run([epmd, "-port", str(self.epmd_port), "-kill"], capture_output=True, timeout=10,
                           check=False)


class Process:
    """A child process whose output goes to a log file; stop() ends it (TERM, then KILL)."""

    def __init__(self, args: list[str], env: dict, log: Path, cwd: Path = ROOT):
        self.log = log
        self.proc = subprocess.Popen(  # noqa: S603
            args, cwd=cwd, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def alive(self) -> bool:
        return self.proc.poll() is None

    def signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signum)

    def stop(self, timeout: float = 15) -> None:
        if self.alive():
            self.signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.signal(signal.SIGKILL)
                self.proc.wait(10)


class WebServer(Process):
    """gunicorn serving config.wsgi on 127.0.0.1:`port`. `debug` (the default) turns DEBUG
    on: static files served by whitenoise from the apps, no collectstatic needed; with
    debug=False the env must carry production settings and collected static files."""

    def __init__(self, env: dict, log: Path, *, workers: int = 2, threads: int = 1, debug: bool = True,
                 port: int | None = None):
        self.port = port or free_port()
        env = {**env, "PORT": str(self.port), **({"DEBUG": "1"} if debug else {})}
        super().__init__(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(workers), "--threads", str(threads), "--timeout", "30", "--graceful-timeout", "5"],
            env, log,
        )
        wait_for(lambda: self.answers("/") or not self.alive(), timeout=40, what="gunicorn to answer")
        if not self.alive():
            raise AssertionError(f"gunicorn exited at start:\n{self.output()[-3000:]}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answers(self, path: str) -> bool:
        try:
            return requests.get(self.url + path, timeout=5).status_code < 500
        except requests.RequestException:
            return False


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TS_INPUT = re.compile(r'name="ts" value="([^"]*)"')


class Commenter:
    """A guest reader who posts comments through the real form (one cookie jar)."""

    def __init__(self, site: str, *, name: str = "Gus", email: str = "gus@example.com"):
        self.site = site.rstrip("/")
        self.session = requests.Session()
        self.name, self.email = name, email

    def submit(self, post_path: str, body: str, *, timeout: float = 30, **fields) -> requests.Response:
        """GET the post page (the form's CSRF token and timestamp), then POST the comment.
        Returns the POST's response (a 302 to the comment when it was accepted)."""
        return self.send(self.form(post_path, body, timeout=timeout, **fields), timeout=timeout)

    def send(self, data: dict, *, timeout: float = 30) -> requests.Response:
        return self.session.post(self.site + "/comments/post/", data=data, allow_redirects=False, timeout=timeout)

    def form(self, post_path: str, body: str, *, timeout: float = 30, **fields) -> dict:
        """The comment form's fields, filled, from a GET of the post page."""
        page = self.session.get(self.site + post_path, timeout=timeout)
        page.raise_for_status()
        data = {"comment": body, "author": self.name, "email": self.email, "url": "",
                "comment_post_ID": fields.pop("post_id"), "comment_parent": "0", "hp_website": ""}
        token = CSRF_INPUT.search(page.text)
        if token:
            data["csrfmiddlewaretoken"] = token.group(1)
        ts = TS_INPUT.search(page.text)
        if ts:
            data["ts"] = ts.group(1)
        data.update(fields)
        return data


class TcpProxy:
    """A loopback TCP relay to 127.0.0.1:`target_port`. cut() drops every connection and
    refuses new ones (the broker is gone, as far as its clients can tell); restore() listens
    again on the same port. For a broker we must not stop (the machine's RabbitMQ)."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = free_port()
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.restore()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.2)  # so the accept loop sees cut() at once
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while self.listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # cut()
            client.settimeout(None)
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            listener.close()
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    close = cut


def postgres_bin(name: str) -> str | None:
    """A PostgreSQL server program (initdb, pg_ctl) from Debian's versioned folder, or PATH."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(found[-1]) if found else shutil.which(name)


class PostgresCluster:
    """A private PostgreSQL cluster on 127.0.0.1:`port` (trust auth), in a temporary folder
    owned by the postgres user, run as that user (the server refuses to run as root).
    restart() is a fast shutdown and a start, as a restarting database server would be."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="dispatch-pg-"))
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        subprocess.run([*self.as_postgres, postgres_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                        "--no-sync", "-E", "UTF8"], check=True, capture_output=True)
        self.data = data
        self.start()

    def url(self, db: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def ctl(self, *args: str) -> None:
        subprocess.run([*self.as_postgres, postgres_bin("pg_ctl"), "-D", str(self.data), *args],
                       check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        self.ctl("-w", "-l", str(self.dir / "server.log"), "-o",
                 f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self) -> None:
        self.ctl("-w", "-m", "fast", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self.ctl("-w", "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)
