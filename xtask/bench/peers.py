"""python-snap7 3.3.0's client against two servers, same workload, same run.

Run by `cargo xtask bench --peers`:

    peers.py HOST PORT SECONDS     the s7-mock listens on HOST:PORT
    peers.py --serve               (internal) snap7's own pure-Python server, in a child process

The client makes 4-byte reads of DB1 and 4000-byte reads of DB1 (split over several PDUs by
the client) for SECONDS each, first against the s7-mock, then against snap7.server started
here in a child process. Prints one line per measurement:

    peers <s7-mock|snap7-server> <read-4|read-4000> <reads> <seconds> <reads per second>
"""

import socket
import subprocess
import sys
import time

import snap7
from snap7.type import SrvArea

DB_SIZE = 8192


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve():
    server = snap7.server.Server(log=False)
    server.register_area(SrvArea.DB, 1, bytearray(DB_SIZE))
    port = free_port()
    server.start(tcp_port=port)
    print(f"listening on 127.0.0.1:{port}", flush=True)
    # Until the parent closes stdin.
    sys.stdin.read()
    server.stop()


def measure(host, port, seconds, size):
    client = snap7.client.Client()
    client.connect(host, 0, 1, port)
    for _ in range(20):
        client.db_read(1, 0, size)
    reads = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        data = client.db_read(1, 0, size)
        if len(data) != size:
            raise AssertionError(f"read {len(data)} bytes, expected {size}")
        reads += 1
        if time.perf_counter() >= deadline:
            break
    elapsed = time.perf_counter() - started
    client.disconnect()
    return reads, elapsed


def run_workload(name, host, port, seconds):
    for size in (4, 4000):
        reads, elapsed = measure(host, port, seconds, size)
        print(f"peers {name} read-{size} {reads} {elapsed:.3f} {reads / elapsed:.1f}", flush=True)


def main():
    if sys.argv[1:] == ["--serve"]:
        serve()
        return
    host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    run_workload("s7-mock", host, port, seconds)
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline().strip()
        if not line.startswith("listening on "):
            raise RuntimeError(f"snap7 server printed {line!r}")
        addr = line.removeprefix("listening on ")
        server_host, server_port = addr.rsplit(":", 1)
        run_workload("snap7-server", server_host, int(server_port), seconds)
    finally:
        child.stdin.close()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


if __name__ == "__main__":
    main()
