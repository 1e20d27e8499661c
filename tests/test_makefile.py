"""`make clean` resets a checkout's local state and never deletes uploads (var/media/)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_clean_keeps_the_uploads_and_removes_the_rest_of_var(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    files = {
        ".venv/bin/python": "", "var/db.sqlite3": "", "var/test-db-1.sqlite3": "",
        "var/broker/in/task.msg": "", "var/mail/1.log": "", "var/static/app.css": "",
        "var/celerybeat-schedule": "", "var/media/images/2026/photo.jpg": "upload",
        "var/media/blog/embeds/thumb.jpg": "upload", ".env": "SECRET_KEY=x", "blog/models.py": "code",
        "media/models.py": "code",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)

    subprocess.run(["make", "--no-print-directory", "clean"], cwd=tmp_path, check=True, capture_output=True)

    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert left == [
        ".env", "Makefile", "blog/models.py", "media/models.py",
        "var/media/blog/embeds/thumb.jpg", "var/media/images/2026/photo.jpg",
    ]
    # Twice is fine, and so is a checkout that has no var/ yet.
    subprocess.run(["make", "--no-print-directory", "clean"], cwd=tmp_path, check=True, capture_output=True)
    shutil.rmtree(tmp_path / "var")
    subprocess.run(["make", "--no-print-directory", "clean"], cwd=tmp_path, check=True, capture_output=True)
