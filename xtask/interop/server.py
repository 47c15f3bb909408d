"""Starts a third-party S7 server (python-snap7's `snap7.server.Server`) for `cargo xtask interop`.

Which server depends on the python-snap7 installed in the venv running this script:
- 3.x: a pure-Python server (`start_to(ip, tcp_port)`, areas as bytearrays);
- 2.0.2: the snap7 C server bundled in the wheel, driven through ctypes (`start_to(ip,
  tcp_port)` sets the LocalPort parameter first; areas as ctypes arrays).

Usage: server.py [PORT]. PORT 0 (the default) picks a free port. Registers DB1 (8192 bytes),
DB2 (256), inputs, outputs and merkers (256 each), 64 timers and 64 counters, prints
`listening on 127.0.0.1:PORT (python-snap7 VERSION)` and serves until killed.
"""

import ctypes
import importlib.metadata
import logging
import signal
import socket
import sys
import time

from snap7.server import Server
from snap7.type import SrvArea

HOST = "127.0.0.1"
VERSION = importlib.metadata.version("python-snap7")
NATIVE = VERSION.startswith("2.")

AREAS = [
    (SrvArea.DB, 1, 8192),
    (SrvArea.DB, 2, 256),
    (SrvArea.PE, 0, 256),
    (SrvArea.PA, 0, 256),
    (SrvArea.MK, 0, 256),
    (SrvArea.TM, 0, 64 * 2),
    (SrvArea.CT, 0, 64 * 2),
]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def main():
    # python-snap7 logs every refused item (a missing DB is one of the checks) as a warning.
    logging.disable(logging.WARNING)
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if port == 0:
        port = free_port()
    server = Server(log=False)
    # The buffers must outlive the server: the C server keeps pointers to them.
    buffers = []
    for area, index, size in AREAS:
        buffer = (ctypes.c_ubyte * size)() if NATIVE else bytearray(size)
        buffers.append(buffer)
        server.register_area(area, index, buffer)
    server.start_to(HOST, tcp_port=port)
    print(f"listening on {HOST}:{port} (python-snap7 {VERSION})", flush=True)

    def stop(*_):
        server.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
