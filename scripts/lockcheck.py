"""Ties the lock files to pyproject.toml: `stamp` records a digest of its dependency lists in each lock
file (`make lock`, `make upgrade`); `check` (every `make install`) stops when they no longer match, so a
dependency added to pyproject.toml without re-locking fails at once instead of being silently absent."""

import hashlib
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = "# pyproject.toml dependencies sha256: "


def digest():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lists = {
        "requires-python": project.get("requires-python"),
        "dependencies": project.get("dependencies", []),
        "optional-dependencies": project.get("optional-dependencies", {}),
    }
    return hashlib.sha256(json.dumps(lists, sort_keys=True).encode()).hexdigest()


def stamp(paths):
    line = MARK + digest()
    for path in paths:
        kept = [row for row in Path(path).read_text().splitlines() if not row.startswith(MARK)]
        Path(path).write_text("\n".join([*kept, line]) + "\n")


def check(paths):
    line = MARK + digest()
    stale = [path for path in paths if not Path(path).exists() or line not in Path(path).read_text()]
    for path in stale:
        print(f"{path} does not match pyproject.toml's dependencies: run `make lock` and commit it")
    return 1 if stale else 0


if __name__ == "__main__":
    command, *files = sys.argv[1:]
    if command == "stamp":
        stamp(files)
    elif command == "check":
        sys.exit(check(files))
    else:
        sys.exit(f"unknown command {command!r}: stamp or check")
