"""Block services of the s7-mock binary against third-party clients: python-snap7 3.3.0
(pure Python) and the libsnap7 C client (python-snap7 2.0.2).

Two modes:

- Driver (any python3): `blocks.py --mock PATH/TO/s7-mock [--python PY]...` writes a profile
  with DB1 (64 bytes), DB2 (32), DB100 (16), OB1 (40-byte body) and
  DB200..DB349 (2 bytes each, so that the DB list needs several parts), starts a fresh mock per
  client (`--listen 127.0.0.1:0 --profile ...`, reading its `listening on ADDR` line), and
  runs the client mode with each interpreter (default: target/interop-venv/bin/python and
  target/interop-venv-snap7-2.0.2/bin/python when present). Exit status 1 if any check
  failed.
- Single (the interpreter whose snap7 is under test, as `cargo xtask interop` runs it):
  `blocks.py PATH/TO/s7-mock` starts one mock and runs the client mode against it.
- Client (the interpreter whose snap7 is under test): `blocks.py HOST PORT` runs the checks
  and prints one PASS/FAIL line each, then `N passed, M failed`.

Checks: list_blocks; list_blocks_of_type DB and OB; get_block_info of DB1 and OB1; upload and
full_upload of DB1 (after writing a pattern: the upload carries the current data) and of OB1;
download of a new DB42 (DB1's full image renumbered, new data) then list and read it;
delete DB42, then list again; download over DB2 (32 bytes) a 64-byte DB2, then read it and
its block info.
"""

import os
import struct
import subprocess
import sys
import tempfile
import traceback

PROFILE = """
[[db]]
number = 1
size = 64

[[db]]
number = 2
size = 32

[[db]]
number = 100
size = 16

[[block]]
type = "OB"
number = 1
size = 40
author = "TESTER"
name = "MAIN"
""" + "".join(f"\n[[db]]\nnumber = {n}\nsize = 2\n" for n in range(200, 350))


def driver(argv):
    mock = None
    pythons = []
    i = 0
    while i < len(argv):
        if argv[i] == "--mock":
            mock = argv[i + 1]
            i += 2
        elif argv[i] == "--python":
            pythons.append(argv[i + 1])
            i += 2
        else:
            sys.exit(f"unknown argument {argv[i]!r}")
    if mock is None:
        sys.exit("usage: blocks.py --mock PATH/TO/s7-mock [--python PY]...")
    if not pythons:
        root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
        for venv in ("interop-venv", "interop-venv-snap7-2.0.2"):
            for base in (os.path.join(root, "target"), "/work/main/target"):
                py = os.path.join(base, venv, "bin", "python")
                if os.path.exists(py):
                    pythons.append(py)
                    break
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        profile = os.path.join(tmp, "blocks.toml")
        with open(profile, "w") as f:
            f.write(PROFILE)
        for py in pythons:
            proc = subprocess.Popen(
                [mock, "--listen", "127.0.0.1:0", "--profile", profile],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            try:
                line = proc.stdout.readline().strip()
                if not line.startswith("listening on "):
                    print(f"FAIL start mock: {line!r}")
                    failed = True
                    continue
                host, port = line[len("listening on "):].rsplit(":", 1)
                print(f"== {py}", flush=True)
                code = subprocess.call([py, __file__, host, port])
                failed = failed or code != 0
            finally:
                proc.kill()
                proc.wait()
    sys.exit(1 if failed else 0)


def client_mode(host, port):
    import snap7
    from snap7.type import Block

    pure = hasattr(snap7.Client(), "protocol")  # python-snap7 3.x has no C library
    label = "python-snap7 " + getattr(snap7, "__version__", "?") + (" (pure)" if pure else " (libsnap7)")
    results = []

    def check(name):
        def wrap(fn):
            try:
                fn()
                results.append(True)
                print(f"PASS [{label}] {name}", flush=True)
            except Exception as exc:  # noqa: BLE001 - every failure is reported
                results.append(False)
                print(f"FAIL [{label}] {name}: {type(exc).__name__}: {exc}", flush=True)
                traceback.print_exc(file=sys.stderr)
            return fn

        return wrap

    def expect(actual, expected, what):
        if actual != expected:
            raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")

    client = snap7.Client()
    client.connect(host, 0, 1, int(port))
    pattern = bytearray((i * 7 + 3) & 0xFF for i in range(64))
    client.db_write(1, 0, pattern)

    def numbers(block_type):
        got = sorted(n for n in client.list_blocks_of_type(block_type, 1000) if n)
        if block_type == Block.DB:
            expect([n for n in got if n >= 200], list(range(200, 350)), "DB200..DB349 (multi-part list)")
            got = [n for n in got if n < 200]
        return got

    def upload_of(block_type, number):
        """upload() of any block type: the C client through Cli_Upload, the pure client
        through the same requests its upload() sends (it hard-codes DB)."""
        if not pure:
            from ctypes import byref, c_int, sizeof
            from snap7.type import buffer_type

            buffer = buffer_type()
            size = c_int(sizeof(buffer))
            code = client._lib.Cli_Upload(client._s7_client, block_type.ctype, number, byref(buffer), byref(size))
            if code != 0:
                raise AssertionError(f"Cli_Upload returned {code:#x}")
            return bytearray(buffer)[: size.value]
        if block_type == Block.DB:
            return client.upload(number)
        proto = client.protocol
        info = proto.parse_start_upload_response(client._send_receive(proto.build_start_upload_request(int(block_type), number)))
        data = bytearray()
        for index in range(1000):
            response = client._send_receive(proto.build_upload_request(info["upload_id"]))
            part, last = proto.parse_upload_fragment(response, first_fragment=index == 0)
            data.extend(part)
            if last:
                break
        proto.check_end_upload_response(client._send_receive(proto.build_end_upload_request(info["upload_id"])))
        return data

    @check("list_blocks")
    def _():
        blocks = client.list_blocks()
        expect((blocks.DBCount, blocks.OBCount, blocks.FCCount), (153, 1, 0), "DB, OB, FC counts")

    @check("list_blocks_of_type DB")
    def _():
        expect(numbers(Block.DB), [1, 2, 100], "DB numbers")

    @check("list_blocks_of_type OB")
    def _():
        expect(numbers(Block.OB), [1], "OB numbers")

    @check("get_block_info DB1")
    def _():
        info = client.get_block_info(Block.DB, 1)
        expect(info.BlkNumber, 1, "number")
        expect(info.MC7Size, 64, "MC7 size")
        expect(info.LoadSize, 64 + 92, "load size")
        expect(info.BlkLang, 5, "language (DB)")

    @check("get_block_info OB1")
    def _():
        info = client.get_block_info(Block.OB, 1)
        expect(info.BlkNumber, 1, "number")
        expect(info.MC7Size, 40, "MC7 size")
        expect(info.LocalData, 20, "local data")
        expect(bytes(info.Author).rstrip(b"\0"), b"TESTER", "author")
        expect(bytes(info.Header).rstrip(b"\0"), b"MAIN", "name")

    @check("upload DB1")
    def _():
        data = upload_of(Block.DB, 1)
        expect(bytes(data[:64]), bytes(pattern), "DB1 data")
        if not pure:
            expect(len(data), 64, "uploaded length (MC7 only)")

    @check("upload OB1")
    def _():
        data = upload_of(Block.OB, 1)
        expect(bytes(data[:4]), b"\x65\x00\x65\x00", "OB1 code")

    image = {}

    @check("full_upload DB1")
    def _():
        data, size = client.full_upload(Block.DB, 1)
        expect(size, 64 + 92, "size")
        expect(bytes(data[:2]), b"pp", "header magic")
        expect(bytes(data[36:100]), bytes(pattern), "DB1 data")
        image["db1"] = bytearray(data[:size])

    @check("full_upload OB1")
    def _():
        data, size = client.full_upload(Block.OB, 1)
        expect(size, 40 + 92, "size")
        expect(data[5], 0x08, "sub-block type OB")

    new_data = bytearray((i * 3 + 1) & 0xFF for i in range(64))

    @check("download DB42")
    def _():
        block = bytearray(image["db1"])
        struct.pack_into(">H", block, 6, 42)
        block[36:100] = new_data
        client.download(block, 42)

    @check("list_blocks_of_type DB after download")
    def _():
        expect(numbers(Block.DB), [1, 2, 42, 100], "DB numbers")

    @check("db_read DB42")
    def _():
        expect(bytes(client.db_read(42, 0, 64)), bytes(new_data), "DB42 data")

    @check("delete DB42")
    def _():
        code = client.delete(Block.DB, 42)
        expect(code, 0, "delete result")
        expect(numbers(Block.DB), [1, 2, 100], "DB numbers after delete")

    @check("download replacing DB2 (32 -> 64 bytes)")
    def _():
        block = bytearray(image["db1"])
        struct.pack_into(">H", block, 6, 2)
        block[36:100] = new_data
        client.download(block, 2)
        expect(bytes(client.db_read(2, 0, 64)), bytes(new_data), "DB2 data")
        expect(numbers(Block.DB), [1, 2, 100], "DB numbers")
        expect(client.get_block_info(Block.DB, 2).MC7Size, 64, "DB2 MC7 size")

    client.disconnect()
    passed = sum(results)
    print(f"[{label}] {passed} passed, {len(results) - passed} failed", flush=True)
    sys.exit(0 if all(results) else 1)


def single(mock):
    """`blocks.py PATH/TO/s7-mock`: one mock (on the first port of `S7_MOCK_PORTS` when set,
    else a free one) and this interpreter's snap7 as the client; as `cargo xtask interop`
    runs it."""
    ports = [p for p in os.environ.get("S7_MOCK_PORTS", "").split(",") if p]
    listen = f"127.0.0.1:{ports[0] if ports else 0}"
    with tempfile.TemporaryDirectory() as tmp:
        profile = os.path.join(tmp, "blocks.toml")
        with open(profile, "w") as f:
            f.write(PROFILE)
        proc = subprocess.Popen(
            [mock, "--listen", listen, "--profile", profile],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            line = proc.stdout.readline().strip()
            if not line.startswith("listening on "):
                print(f"FAIL start mock: {line!r}")
                sys.exit(1)
            host, port = line[len("listening on "):].rsplit(":", 1)
            code = subprocess.call([sys.executable, __file__, host, port])
        finally:
            proc.terminate()
            proc.wait()
    sys.exit(code)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("--"):
        driver(sys.argv[1:])
    elif len(sys.argv) == 2:
        single(sys.argv[1])
    elif len(sys.argv) == 3:
        client_mode(sys.argv[1], sys.argv[2])
    else:
        sys.exit(__doc__)
