"""The test data is committed, documented and read from inside the repository.

CI's first leg runs the suite from a copy of the clone with no ../shared beside it, which
catches a relative path out of the repository; these checks also catch an absolute one
(`/work/shared/...` exists on our machines, not on a user's)."""

import ast
import hashlib
import re
from pathlib import Path

from tests.conftest import DATA_DIR

TESTS = Path(__file__).resolve().parent
README = DATA_DIR / "README.md"

# A string literal that names a place outside the checkout: our machines' shared folder, a
# home directory, or a climb out of the repository to a sibling folder.
OUTSIDE = re.compile(r"^(?:/work/|/home/|/root/|/Users/)|\.\./shared|(?:^|/)shared/data\b|^shared$")


def _data_files() -> list[str]:
    return sorted(p.relative_to(DATA_DIR).as_posix() for p in DATA_DIR.rglob("*") if p.is_file() and p != README)


def test_every_data_file_is_listed_in_the_readme_with_its_checksum():
    checksums = re.findall(r"^([0-9a-f]{64})  (\S+)$", README.read_text(), re.MULTILINE)
    listed = {name: digest for digest, name in checksums}
    assert sorted(listed) == _data_files()
    for name, digest in listed.items():
        assert hashlib.sha256((DATA_DIR / name).read_bytes()).hexdigest() == digest, name


def test_no_test_or_benchmark_names_a_path_outside_the_repository():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        if path == Path(__file__).resolve():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and OUTSIDE.search(node.value):
                offenders.append(f"{path.relative_to(TESTS.parent)}:{node.lineno}: {node.value!r}")
    assert not offenders, "use the data_dir fixture (tests/data/) instead:\n" + "\n".join(offenders)
