"""Shared fixtures for the Python-level tests: the whale binary and the golden models."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"


@pytest.fixture(scope="session")
def whale_bin():
    path = os.environ.get("WHALE_BIN", str(ROOT / "build" / "app" / "whale"))
    if not os.path.exists(path):
        pytest.fail(f"whale binary not found at {path}; build first (scripts/build.sh) or set WHALE_BIN")
    return path


@pytest.fixture
def run_whale(whale_bin):
    def run(*args, stdin=None, check=False):
        result = subprocess.run([whale_bin, *map(str, args)], input=stdin, capture_output=True, text=True, timeout=300)
        if check and result.returncode != 0:
            raise AssertionError(f"whale {' '.join(map(str, args))} failed: {result.stderr}")
        return result
    return run
