"""pytest fixtures that run the s7-mock binary as a PLC for the test suite.

The mock is started from a profile with `--listen 127.0.0.1:0 --control 127.0.0.1:0`, so every
test gets its own free ports. It prints two lines on stdout, `listening on ADDR` and
`control on http://ADDR`; the fixture reads both, yields a `Mock` (the S7 address plus a small
client of the control API, stdlib only), and at teardown stops it with SIGTERM and asserts
that it exited with status 0.

The binary is `$S7_MOCK_BIN`, by default `target/release/s7-mock` of this repository
(`cargo build --release -p s7-mock`). `cargo xtask interop` runs this suite with the binary it
built.
"""

import json
import os
import queue
import signal
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
import snap7

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MOCK_BIN = os.environ.get("S7_MOCK_BIN", str(ROOT / "target" / "release" / "s7-mock"))
PLC_PROFILE = HERE / "plc.toml"
STARTUP_TIMEOUT = 10.0


class ControlError(Exception):
    """A control API answer other than 2xx: `status` and the server's `{"error": ...}`."""

    def __init__(self, status, body):
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


class Control:
    """The mock's HTTP control API (docs/control-api.md), with `urllib.request` and `json`."""

    def __init__(self, url):
        self.base = url.rstrip("/") + "/api/v1"

    def call(self, method, path, body=None, **query):
        url = self.base + path
        query = {k: v for k, v in query.items() if v is not None}
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=35) as answer:
                return json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as err:
            text = err.read().decode(errors="replace")
            try:
                text = json.loads(text)
            except ValueError:
                pass
            raise ControlError(err.code, text) from None

    # The endpoints the tests use, by name.

    def status(self):
        return self.call("GET", "/status")

    def read(self, area, start, length, db=None):
        """Bytes of `area` (`db` with `db=N`, `inputs`, `outputs`, `merkers`, ...)."""
        answer = self.call("GET", f"/memory/{area}", db=db, start=start, len=length)
        return bytes.fromhex(answer["hex"])

    def write(self, area, start, data, db=None):
        return self.call("PUT", f"/memory/{area}", {"hex": bytes(data).hex()}, db=db, start=start)

    def cpu(self, state=None):
        if state is None:
            return self.call("GET", "/cpu")["state"]
        return self.call("PUT", "/cpu", {"state": state})["state"]

    def fault(self, **spec):
        """Installs a fault, e.g. `fault(fault="delay", ms=200, when={"function": "read_var"})`;
        returns its id."""
        return self.call("POST", "/faults", spec)["id"]

    def faults(self):
        return self.call("GET", "/faults")["faults"]

    def requests(self, since=0, wait_ms=None, limit=None):
        return self.call("GET", "/requests", since=since, wait_ms=wait_ms, limit=limit)

    def reset(self):
        return self.call("POST", "/reset", {})

    def tag(self, name):
        return self.call("GET", "/tags/" + urllib.parse.quote(name, safe=""))

    def set_tag(self, name, value):
        return self.call("PUT", "/tags/" + urllib.parse.quote(name, safe=""), {"value": value})


class Mock:
    """A running s7-mock: `host`, `port`, `rack`, `slot`, and `control` (a `Control`)."""

    def __init__(self, process, host, port, control_url, rack, slot):
        self.process = process
        self.host = host
        self.port = port
        self.control = Control(control_url)
        self.rack = rack
        self.slot = slot

    def client(self):
        """A python-snap7 client connected to this mock (the caller disconnects it)."""
        client = snap7.Client()
        client.connect(self.host, self.rack, self.slot, self.port)
        return client


class MockRefused(Exception):
    """The mock exited before serving: `code` and its `stderr`."""

    def __init__(self, code, stderr):
        super().__init__(f"s7-mock exited with status {code}: {stderr.strip()}")
        self.code = code
        self.stderr = stderr


def _pump(stream, lines):
    for line in iter(stream.readline, ""):
        lines.put(line)
    lines.put(None)


@contextmanager
def start_mock(profile=PLC_PROFILE, *flags, rack=0, slot=1):
    """Runs `s7-mock --profile PROFILE --listen 127.0.0.1:0 --control 127.0.0.1:0 FLAGS...`.

    Yields a `Mock` once both addresses are printed; raises `MockRefused` if the mock exits
    first. On exit sends SIGTERM and asserts that the mock exits with status 0.
    """
    command = [MOCK_BIN, "--profile", str(profile), "--listen", "127.0.0.1:0"]
    command += ["--control", "127.0.0.1:0", *flags]
    env = dict(os.environ)
    env.setdefault("RUST_LOG", "warn")
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    stdout, stderr = queue.Queue(), queue.Queue()
    # Both pipes are drained for the mock's whole life, so it never blocks on a full pipe.
    for stream, lines in ((process.stdout, stdout), (process.stderr, stderr)):
        threading.Thread(target=_pump, args=(stream, lines), daemon=True).start()

    def drained(lines):
        out = []
        while True:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                break
            if line is None:
                break
            out.append(line)
        return "".join(out)

    try:
        addresses = []
        for prefix in ("listening on ", "control on http://"):
            line = stdout.get(timeout=STARTUP_TIMEOUT)
            if line is None:
                code = process.wait(timeout=5)
                raise MockRefused(code, drained(stderr))
            assert line.startswith(prefix), f"expected {prefix!r}..., got {line!r}"
            addresses.append(line[len(prefix) :].strip())
    except BaseException:
        if process.poll() is None:
            process.kill()
        process.wait()
        raise
    host, port = addresses[0].rsplit(":", 1)
    mock = Mock(process, host, int(port), "http://" + addresses[1], rack, slot)
    try:
        yield mock
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise AssertionError("s7-mock did not exit within 5 s of SIGTERM") from None
        assert code == 0, f"s7-mock exited with {code} on SIGTERM: {drained(stderr)}"


@pytest.fixture
def mock():
    """The mock of plc.toml (an S7-1500, slot 1) on free loopback ports."""
    with start_mock() as running:
        yield running


@pytest.fixture
def client(mock):
    """python-snap7 3.3.0 connected to `mock`."""
    connected = mock.client()
    yield connected
    connected.disconnect()


@pytest.fixture
def tagged_mock():
    """The mock of tags.toml, with named tags and a simulated value."""
    with start_mock(HERE / "tags.toml") as running:
        yield running
