"""A third-party client (python-snap7, pure Python) against the s7-mock binary.

Run by `cargo xtask interop`: argv[1] is host, argv[2] is port. The mock is started with at
least DB1 (8192 bytes), DB2 (256 bytes), 24 bytes of inputs and outputs, 132 merker bytes, 8
timers and 12 counters: once with flags only, and once per CPU preset with
`--profile examples/profiles/<preset>.toml` and no other flag (each shipped preset profile has
what the scenario needs). Prints one PASS/FAIL line per check and a closing
`N passed, M failed`.

What differs between a flag-configured mock and a preset comes from the environment (the
defaults are the flag-configured mock's):

- S7_RACK, S7_SLOT (0, 1): where the client connects.
- S7_EXPECT_PDU (480): the PDU the mock must grant to python-snap7's request for 480.
- S7_SZL_001C (1): 1 if SZL 0x001C is served; 0 if it must be refused (an S7-1200).
- S7_ORDER_CODE (unset): the order code SZL 0x0011 must report, when given.
- S7_SLOT_PINNED (0): 1 if the profile pins rack/slot, so a connection to another slot must be
  refused.
"""

import os

import struct
import sys
import threading
import traceback

import snap7
from snap7.type import Area

HOST = sys.argv[1]
PORT = int(sys.argv[2])
RACK = int(os.environ.get("S7_RACK", "0"))
SLOT = int(os.environ.get("S7_SLOT", "1"))
EXPECT_PDU = int(os.environ.get("S7_EXPECT_PDU", "480"))
SZL_001C = os.environ.get("S7_SZL_001C", "1") == "1"
ORDER_CODE = os.environ.get("S7_ORDER_CODE")
SLOT_PINNED = os.environ.get("S7_SLOT_PINNED", "0") == "1"

results = []


def check(name):
    def wrap(fn):
        try:
            fn()
            results.append((name, None))
            print(f"PASS {name}", flush=True)
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none hidden
            detail = f"{type(exc).__name__}: {exc}"
            results.append((name, detail))
            print(f"FAIL {name}: {detail}", flush=True)
            traceback.print_exc(file=sys.stderr)
        return fn

    return wrap


def connect():
    client = snap7.Client()
    client.connect(HOST, RACK, SLOT, PORT)
    return client


def expect(actual, expected, what):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


def pattern(size, seed):
    return bytearray((i * 7 + seed) & 0xFF for i in range(size))


client = connect()


@check("connect and negotiate pdu")
def _():
    expect(client.get_connected(), True, "connected")
    expect(client.get_pdu_length(), EXPECT_PDU, "negotiated pdu")


if SLOT_PINNED:

    @check("connection to another slot is refused")
    def _():
        other = snap7.Client()
        try:
            other.connect(HOST, RACK, SLOT + 1, PORT)
        except Exception:  # noqa: BLE001 - any refusal will do; a connection will not
            return
        other.disconnect()
        raise AssertionError(f"rack {RACK} slot {SLOT + 1} was accepted")


@check("db write then read (100 bytes)")
def _():
    data = pattern(100, 1)
    client.db_write(1, 10, data)
    expect(client.db_read(1, 10, 100), data, "DB1.10..110")


@check("db read larger than one pdu (4000 bytes)")
def _():
    data = pattern(4000, 3)
    client.db_write(1, 0, data)
    expect(client.db_read(1, 0, 4000), data, "DB1.0..4000")


@check("db typed values (int, dint, real)")
def _():
    client.db_write_int(2, 0, -1234)
    client.db_write_dint(2, 2, 123456789)
    client.db_write_real(2, 6, 3.5)
    expect(client.db_read_int(2, 0), -1234, "int")
    expect(client.db_read_dint(2, 2), 123456789, "dint")
    expect(client.db_read_real(2, 6), 3.5, "real")
    raw = client.db_read(2, 0, 10)
    expect(bytes(raw[:2]), struct.pack(">h", -1234), "int bytes are big-endian")


@check("bit write touches one bit only")
def _():
    client.db_write(2, 20, bytearray([0b1010_0101]))
    client.db_write_bool(2, 20, 1, True)
    expect(client.db_read(2, 20, 1)[0], 0b1010_0111, "bit 1 set, others kept")
    client.db_write_bool(2, 20, 7, False)
    expect(client.db_read(2, 20, 1)[0], 0b0010_0111, "bit 7 cleared, others kept")
    expect(client.db_read_bool(2, 20, 5), True, "bit 5")


@check("merkers write then read")
def _():
    data = pattern(32, 5)
    client.mb_write(100, 32, data)
    expect(client.mb_read(100, 32), data, "MB100..132")


@check("inputs write then read")
def _():
    data = pattern(16, 9)
    client.eb_write(0, 16, data)
    expect(client.eb_read(0, 16), data, "IB0..16")


@check("outputs write then read")
def _():
    data = pattern(16, 11)
    client.ab_write(8, data)
    expect(client.ab_read(8, 16), data, "QB8..24")


@check("timers addressed by index")
def _():
    data = bytearray([0x00, 0x11, 0x00, 0x22, 0x00, 0x33])
    client.tm_write(5, 3, data)
    expect(client.tm_read(5, 3), data, "T5..T8")
    expect(client.tm_read(6, 1), bytearray([0x00, 0x22]), "T6 alone")


@check("counters addressed by index")
def _():
    data = bytearray([0x01, 0x02, 0x03, 0x04])
    client.ct_write(10, 2, data)
    expect(client.ct_read(10, 2), data, "C10..C12")
    expect(client.ct_read(11, 1), bytearray([0x03, 0x04]), "C11 alone")


@check("multi-variable read")
def _():
    client.db_write(2, 100, bytearray(b"ABCD"))
    client.mb_write(0, 2, bytearray(b"mk"))
    client.db_write(1, 5000, bytearray(b"xyz"))
    items = [
        {"area": Area.DB, "db_number": 2, "start": 100, "size": 4},
        {"area": Area.MK, "db_number": 0, "start": 0, "size": 2},
        {"area": Area.DB, "db_number": 1, "start": 5000, "size": 3},
    ]
    code, values = client.read_multi_vars(items)
    expect(code, 0, "result code")
    expect([bytes(v) for v in values], [b"ABCD", b"mk", b"xyz"], "values")


def cpu_mode():
    szl = client.read_szl(0x0424, 0)
    data = bytes(b & 0xFF for b in szl.Data[: szl.Header.LengthDR])
    # LENTHDR(2) N_DR(2) then the first record; its 4th byte is the current mode.
    return data[4 + 3]


@check("cpu state via szl 0x0424, stop and start")
def _():
    expect(cpu_mode(), 0x08, "mode while running")
    client.plc_stop()
    mode = cpu_mode()
    if mode == 0x08:
        raise AssertionError("still RUN after plc_stop")
    client.plc_hot_start()
    expect(cpu_mode(), 0x08, "mode after hot start")


@check("szl 0x0011 module identification")
def _():
    szl = client.read_szl(0x0011, 0)
    data = bytes(b & 0xFF for b in szl.Data[: szl.Header.LengthDR])
    lenthdr, count = struct.unpack(">HH", data[:4])
    expect(lenthdr, 28, "record length")
    if count < 1 or len(data) != 4 + lenthdr * count:
        raise AssertionError(f"{count} records of {lenthdr} bytes in {len(data)} bytes")
    order = client.get_order_code()
    code = bytes(order.OrderCode).split(b"\0")[0].decode("ascii").strip()
    if ORDER_CODE is not None:
        expect(code, ORDER_CODE, "order code")
    elif not code.startswith("6ES7"):
        raise AssertionError(f"order code {code!r}")


if SZL_001C:

    @check("szl 0x001c component identification")
    def _():
        info = client.get_cpu_info()
        if not bytes(info.ModuleName).strip():
            raise AssertionError("empty module name")

else:

    @check("szl 0x001c refused (as an S7-1200 does)")
    def _():
        try:
            info = client.get_cpu_info()
        except Exception:  # noqa: BLE001 - snap7 raises for the SZL error
            expect(client.get_connected(), True, "still connected after the refusal")
            return
        raise AssertionError(f"0x001C was served: module {bytes(info.ModuleName)!r}")


@check("read plc clock")
def _():
    now = client.get_plc_datetime()
    if now.year < 2000:
        raise AssertionError(f"clock {now}")


@check("10 clients in parallel")
def _():
    errors = []

    def worker(n):
        try:
            own = connect()
            data = pattern(64, n)
            for _ in range(5):
                own.db_write(1, 6000 + n * 64, data)
                got = own.db_read(1, 6000 + n * 64, 64)
                if got != data:
                    errors.append(f"client {n}: read back differs")
            own.disconnect()
        except Exception as exc:  # noqa: BLE001
            errors.append(f"client {n}: {exc}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    if errors:
        raise AssertionError("; ".join(errors))


@check("disconnect")
def _():
    client.disconnect()
    expect(client.get_connected(), False, "connected after disconnect")


failed = sum(1 for _, detail in results if detail)
print(f"{len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
