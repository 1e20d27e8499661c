"""`make run`'s processes as a user runs them: config/supervise.py starting the real Procfile
(runserver, a prefork worker, beat). The worker's mail links lead to the web server, and a
worker that dies is restarted while the site keeps answering; SIGTERM stops everything."""

import email
import os
import re
import signal
import sys
from pathlib import Path

import pytest
import requests

from tests.servers import ROOT, Commenter, Process, free_port, port_open

from .conftest import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.fault]

LINK = re.compile(r"https?://[^\s\"'<>]+")


def mail_links(message) -> list[str]:
    parsed = email.message_from_bytes(message.content)
    text = ""
    for part in parsed.walk():
        if part.get_content_type() == "text/plain":
            text += part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return LINK.findall(text)


@pytest.fixture
def site(worker_env, tmp_path):
    """`python -m config.supervise Procfile` on a free PORT, SITE_URL unset (as in `make run`)."""
    port = free_port()
    env = {k: v for k, v in worker_env.items() if k != "SITE_URL"}
    env.update({"PORT": str(port), "DEBUG": "1", "VAR_DIR": str(tmp_path / "var"), "COMMENT_FLOOD_INTERVAL": "0",
                "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})  # as `make run` sets it
    env.pop("ALLOWED_HOSTS")
    proc = Process([sys.executable, "-m", "config.supervise", "Procfile"], env, tmp_path / "supervise.log", cwd=ROOT)
    try:
        wait_for(lambda: port_open(port) or not proc.alive(), timeout=60, what="the web server")
        wait_for(lambda: proc.output().count(" ready.") >= 1, timeout=60, what="the worker to be ready")
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        proc.stop(timeout=30)
        print(f"--- supervise.log ---\n{proc.output()[-5000:]}")


def test_the_workers_mail_links_lead_to_the_web_server(post, smtp, site):
    sink, _ = smtp
    _, url = site
    response = Commenter(url, email="gus@example.com").submit(
        post.get_absolute_url(), "Lovely post about gardening.", post_id=post.pk, subscribe_comments="on")
    assert response.status_code == 302
    wait_for(lambda: sink.messages, timeout=60, what="the confirmation mail from the worker")
    links = [link for link in mail_links(sink.messages[0]) if "/subscriptions/" in link]
    assert links, "no subscription link in the mail"
    for link in links:
        assert link.startswith(url + "/"), link
        assert requests.get(link, timeout=10).status_code == 200


def test_a_dead_worker_is_restarted_while_the_site_keeps_answering_and_sigterm_stops_all(post, site):
    proc, url = site
    worker_pid = int(re.search(r"worker started \(pid (\d+)\)", proc.output()).group(1))
    os.killpg(worker_pid, signal.SIGKILL)
    wait_for(lambda: "worker exited with code" in proc.output(), timeout=20, what="the supervisor to notice")
    assert "restarting it in 1 s" in proc.output()
    assert requests.get(url + post.get_absolute_url(), timeout=10).status_code == 200
    wait_for(lambda: proc.output().count("worker started") == 2, timeout=20, what="a new worker")
    wait_for(lambda: proc.output().count(" ready.") >= 2, timeout=60, what="the new worker to be ready")
    assert proc.alive()

    proc.signal(signal.SIGTERM)
    proc.proc.wait(30)
    assert proc.proc.returncode == 0
    assert not port_open(int(url.rsplit(":", 1)[1]))
