"""Starts `whale serve` on loopback for the server tests and stops it cleanly (SIGTERM, exit 0)."""
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from conftest import ROOT


def make_server_model(path):
    """The tiny random V3 model grown to the real DeepSeek-V3 vocabulary, with its tokenizer."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_server_model.py"), str(path)], check=True)
    return path


class WhaleServer:
    def __init__(self, whale_bin, model, *args):
        self.process = subprocess.Popen([whale_bin, "serve", "-m", str(model), "--port", "0", *map(str, args)],
                                        stderr=subprocess.PIPE, text=True)
        self.log = []
        self.port = None
        ready = threading.Event()

        def drain():
            for line in self.process.stderr:
                self.log.append(line.rstrip("\n"))
                match = re.search(r"listening on http://[\d.]+:(\d+)", line)
                if match:
                    self.port = int(match.group(1))
                    ready.set()
            ready.set()

        self.reader = threading.Thread(target=drain, daemon=True)
        self.reader.start()
        if not ready.wait(120) or self.port is None:
            self.process.kill()
            raise AssertionError("whale serve did not start:\n" + "\n".join(self.log))
        self.url = f"http://127.0.0.1:{self.port}"

    def metrics(self):
        text = urllib.request.urlopen(self.url + "/metrics", timeout=10).read().decode()
        values = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, value = line.rsplit(" ", 1)
                values[name] = float(value)
        return values

    def wait_idle(self, timeout=30):
        """Until no sequence runs or waits; returns the metrics then."""
        deadline = time.time() + timeout
        while True:
            values = self.metrics()
            if values["whale_running_sequences"] == 0 and values["whale_queue_depth"] == 0:
                return values
            if time.time() > deadline:
                raise AssertionError(f"server still busy: {values}")
            time.sleep(0.1)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                raise
        self.reader.join(timeout=10)
        return self.process.returncode


@pytest.fixture(scope="session")
def server_model(tmp_path_factory):
    return make_server_model(tmp_path_factory.mktemp("server_model"))


@pytest.fixture(scope="module")
def server(whale_bin, server_model):
    s = WhaleServer(whale_bin, server_model, "--parallel", 4, "--ctx", 2048, "--chat-format", "v3.1",
                    "--served-model-name", "whale-test", "--max-body-bytes", 200000)
    yield s
    assert s.stop() == 0, "\n".join(s.log)
