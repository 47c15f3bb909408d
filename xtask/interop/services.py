"""SZL, diagnostic buffer and password services of the s7-mock binary, called by a third-party
client: python-snap7 3.3.0 (pure Python) or python-snap7 2.0.2 (a ctypes wrapper around the
libsnap7 C client). The same script runs with either; it tells them apart by version.

    python services.py PATH/TO/s7-mock

It starts two mocks on free loopback ports (`--listen 127.0.0.1:0`, the address read from the
mock's `listening on ADDR` line):

- an open one with the default layout (DB1, DB2, DB100; CPU 315-2 PN/DP identity, PDU 480,
  1024 connections): read_szl_list, get_cpu_info, get_cp_info, get_order_code,
  get_protection, the LED SZL (0x0074) before and after a stop, and (python-snap7 3.3.0
  only: libsnap7 has no such call) read_diagnostic_buffer after a stop/start;
- one with `--password secret --protection-level 2`: protection reported, a write refused,
  a wrong password refused (and changing nothing), set_session_password then the write
  allowed (and not on another connection), clear_session_password then refused again.

Prints one PASS/FAIL line per check and a closing `N passed, M failed`; exits 1 if any failed.

python-snap7 2.0.2's S7CpInfo declares uint16 fields where libsnap7 writes ints, and its
read_szl_list returns one byte per listed id; the checks account for both (see there).

python-snap7 3.3.0 decodes get_cp_info, get_protection and read_diagnostic_buffer from the
start of the SZL payload, the partial list header included (its own server sends those lists
without one), so on a CPU layout its fields hold the header: read_diagnostic_buffer's first
event id is the record length 0x0014 and every other one comes from 4 bytes before its
record. The script checks the values from the raw SZL (read_szl) instead, checks that what
the client decoded is exactly what that quirk gives, and names the quirk on the PASS line
(`PASS ... (quirk: ...)`); a client that decodes the right values passes without the note.
libsnap7 decodes get_cp_info and get_protection at the CPU offsets and its values are checked
directly (it has no read_diagnostic_buffer).
"""

import os
import struct
import subprocess
import sys
import traceback

import snap7

MOCK = sys.argv[1]
PASSWORD = "secret"
IS_LIBSNAP7 = snap7.__version__.startswith(("1.", "2."))
CLIENT_NAME = f"libsnap7 (python-snap7 {snap7.__version__})" if IS_LIBSNAP7 else f"python-snap7 {snap7.__version__}"

results = []


def check(name):
    """Runs the check now; a check may return a note (a client quirk it worked around),
    printed on its PASS line."""

    def wrap(fn):
        try:
            note = fn()
            results.append((name, None))
            suffix = f" (quirk: {note})" if note else ""
            print(f"PASS [{CLIENT_NAME}] {name}{suffix}", flush=True)
        except Exception as exc:  # noqa: BLE001 - every failure is reported
            results.append((name, exc))
            print(f"FAIL [{CLIENT_NAME}] {name}: {type(exc).__name__}: {exc}", flush=True)
            traceback.print_exc(file=sys.stderr)
        return fn

    return wrap


def expect(actual, expected, what):
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


# Ports to listen on, in order of start_mock calls, when the runner captures the traffic
# (`S7_MOCK_PORTS=p1,p2`); otherwise free ports.
PORTS = [int(p) for p in os.environ.get("S7_MOCK_PORTS", "").split(",") if p]


def start_mock(*args):
    port = PORTS.pop(0) if PORTS else 0
    proc = subprocess.Popen(
        [MOCK, "--listen", f"127.0.0.1:{port}", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on "):
        proc.kill()
        raise RuntimeError(f"mock did not start: {line!r}")
    host, port = line[len("listening on ") :].rsplit(":", 1)
    return proc, host, int(port)


def connect(host, port):
    client = snap7.client.Client()
    client.connect(host, 0, 2, port)
    return client


def szl_records(client, szl_id, index):
    """(record length, [records]) of an SZL, whatever the client's S7SZL layout."""
    szl = client.read_szl(szl_id, index)
    if IS_LIBSNAP7:
        # libsnap7 splits the partial list header off: Header.LengthDR is the record
        # length, Header.NDR the count, Data the records.
        length, count = szl.Header.LengthDR, szl.Header.NDR
        data = bytes(b & 0xFF for b in szl.Data[: length * count])
    else:
        # python-snap7 3.3.0 keeps the header in Data; Header.LengthDR is the byte count.
        raw = bytes(b & 0xFF for b in szl.Data[: szl.Header.LengthDR])
        length, count = struct.unpack(">HH", raw[:4])
        data = raw[4:]
    return length, [data[i * length : (i + 1) * length] for i in range(count)]


def payload_words(client, szl_id, index, count):
    """The first `count` big-endian words of an SZL payload, its partial list header
    included: what python-snap7 3.3.0's parsers read as the fields of the first record."""
    szl = client.read_szl(szl_id, index)
    raw = bytes(b & 0xFF for b in szl.Data[: szl.Header.LengthDR])
    return tuple(struct.unpack(">H", raw[2 * i : 2 * i + 2])[0] for i in range(count))


def header_quirk(actual, correct, as_header, call, szl):
    """Checks a python-snap7 3.3.0 parse against the right values and against the known
    quirk (decoding from the partial list header on); returns the quirk's note, or None when
    the client decoded the right values."""
    if actual == correct:
        return None
    expect(actual, as_header, f"{call} (neither the right values nor the known quirk)")
    return (
        f"python-snap7 {snap7.__version__}'s {call} decodes SZL {szl} from the start of the "
        f"payload, the 4-byte partial list header included, and gave {actual}; "
        f"values checked from the raw SZL (read_szl) instead"
    )


def leds(client):
    _, records = szl_records(client, 0x0074, 0)
    return {struct.unpack(">H", r[:2])[0]: r[2] for r in records}


def protection_words(client):
    length, records = szl_records(client, 0x0232, 4)
    expect(length, 40, "0x0232 record length")
    return struct.unpack(">HHHHHH", records[0][:12])


procs = []
try:
    open_mock, host, port = start_mock()
    procs.append(open_mock)
    client = connect(host, port)

    @check("read_szl_list")
    def _():
        listed = client.read_szl_list()
        if IS_LIBSNAP7:
            # Cli_ReadSZLList fills host-order words and their count; python-snap7 2.0.2 cuts
            # the bytes of those words at the count, so its result is one byte per id and
            # holds the first half of the ids.
            count = len(listed)
            ids = [struct.unpack("<H", bytes(listed[i : i + 2]))[0] for i in range(0, count - 1, 2)]
            if count < 25:
                raise AssertionError(f"only {count} ids listed")
            expect(ids[:3], [0x0000, 0x0F00, 0x0011], "first ids")
            return
        else:
            length, count = struct.unpack(">HH", listed[:4])
            expect(length, 2, "record length")
            ids = [struct.unpack(">H", listed[4 + 2 * i : 6 + 2 * i])[0] for i in range(count)]
        for wanted in (0x0011, 0x001C, 0x0074, 0x00A0, 0x0131, 0x0232, 0x0424):
            if wanted not in ids:
                raise AssertionError(f"0x{wanted:04X} missing from {[hex(i) for i in ids]}")
        if len(ids) < 25:
            raise AssertionError(f"only {len(ids)} ids listed")

    @check("get_cpu_info")
    def _():
        info = client.get_cpu_info()
        expect(bytes(info.ModuleTypeName).rstrip(b"\x00"), b"CPU 315-2 PN/DP", "module type")
        expect(bytes(info.Copyright).rstrip(b"\x00"), b"Original Siemens Equipment", "copyright")

    @check("get_cp_info")
    def _():
        info = client.get_cp_info()
        if IS_LIBSNAP7:
            # libsnap7's TS7CpInfo has four ints, python-snap7 2.0.2's S7CpInfo four uint16:
            # MaxPduLength is the low half of the PDU int (little-endian), MaxMpiRate the low
            # half of the connections int.
            expect((info.MaxPduLength, info.MaxMpiRate), (480, 1024), "max pdu, max connections")
        length, records = szl_records(client, 0x0131, 1)
        expect(length, 40, "record length")
        expect(struct.unpack(">HHH", records[0][:6]), (1, 480, 1024), "index, pdu, connections")
        if not IS_LIBSNAP7:
            actual = (info.MaxPduLength, info.MaxConnections)
            return header_quirk(actual, (480, 1024), payload_words(client, 0x0131, 0, 2), "get_cp_info", "0x0131")

    @check("get_order_code")
    def _():
        order = client.get_order_code()
        expect(bytes(order.OrderCode).rstrip(b"\x00 "), b"6ES7 315-2EH14-0AB0", "order code")
        expect((order.V1, order.V2, order.V3), (3, 2, 6), "firmware")

    @check("get_protection (level 1, no password)")
    def _():
        protection = client.get_protection()
        if IS_LIBSNAP7:
            expect(
                (protection.sch_schal, protection.sch_par, protection.sch_rel, protection.bart_sch),
                (1, 0, 1, 2),
                "sch_schal, sch_par, sch_rel, bart_sch",
            )
        expect(protection_words(client)[:5], (4, 1, 0, 1, 2), "raw 0x0232 index 4")
        if not IS_LIBSNAP7:
            actual = (protection.sch_schal, protection.sch_par, protection.sch_rel, protection.bart_sch)
            return header_quirk(actual, (1, 0, 1, 2), payload_words(client, 0x0232, 0, 4), "get_protection", "0x0232")

    @check("LED SZL 0x0074 in RUN")
    def _():
        state = leds(client)
        expect((state.get(4), state.get(5)), (1, 0), "RUN, STOP leds")

    @check("plc_stop, then LED SZL 0x0074 in STOP")
    def _():
        client.plc_stop()
        state = leds(client)
        expect((state.get(4), state.get(5)), (0, 1), "RUN, STOP leds")

    @check("plc_hot_start, then diagnostic buffer (SZL 0x00A0) holds the transitions")
    def _():
        client.plc_hot_start()
        length, records = szl_records(client, 0x00A0, 0)
        expect(length, 20, "entry length")
        events = [struct.unpack(">H", r[:2])[0] for r in records[:4]]
        expect(events, [0x4302, 0x4301, 0x1381, 0x4304], "newest events")
        state = leds(client)
        expect((state.get(4), state.get(5)), (1, 0), "RUN, STOP leds")

    if not IS_LIBSNAP7:

        @check("read_diagnostic_buffer")
        def _():
            entries = client.read_diagnostic_buffer()
            # The event ids as the CPU layout has them: the first word of each 20-byte
            # record after the partial list header.
            length, records = szl_records(client, 0x00A0, 0)
            expect(length, 20, "entry length")
            events = [struct.unpack(">H", r[:2])[0] for r in records]
            expect(events[:4], [0x4302, 0x4301, 0x1381, 0x4304], "newest events (raw SZL 0x00A0)")
            actual = [entry["event_id"] for entry in entries]
            # python-snap7 3.3.0 cuts 20-byte entries from the start of the payload, the
            # 4-byte header included: its first event id is the record length (0x0014), each
            # next one 4 bytes before the record it belongs to.
            szl = client.read_szl(0x00A0, 0)
            raw = bytes(b & 0xFF for b in szl.Data[: szl.Header.LengthDR])
            as_header = [struct.unpack(">H", raw[i : i + 2])[0] for i in range(0, len(raw) - 19, 20)]
            return header_quirk(actual, events, as_header, "read_diagnostic_buffer", "0x00A0")

    client.disconnect()

    locked_mock, host, port = start_mock("--password", PASSWORD, "--protection-level", "2")
    procs.append(locked_mock)
    client = connect(host, port)
    other = connect(host, port)

    @check("get_protection (level 2, password)")
    def _():
        protection = client.get_protection()
        if IS_LIBSNAP7:
            expect((protection.sch_par, protection.sch_rel), (2, 2), "sch_par, sch_rel")
        expect(protection_words(client)[:4], (4, 1, 2, 2), "raw 0x0232 index 4")
        if not IS_LIBSNAP7:
            actual = (protection.sch_schal, protection.sch_par, protection.sch_rel, protection.bart_sch)
            return header_quirk(actual, (1, 2, 2, 2), payload_words(client, 0x0232, 0, 4), "get_protection", "0x0232")

    def write_refused(c, what):
        try:
            c.db_write(1, 0, bytearray(b"\x2a"))
        except Exception:  # noqa: BLE001 - the refusal is the expected outcome
            return
        raise AssertionError(f"{what}: the write was accepted")

    @check("write refused at level 2")
    def _():
        write_refused(client, "locked")
        expect(bytes(client.db_read(1, 0, 1)), b"\x00", "read still allowed")

    @check("wrong password refused")
    def _():
        try:
            client.set_session_password("wrong")
        except Exception:  # noqa: BLE001
            pass
        else:
            raise AssertionError("a wrong password was accepted")
        write_refused(client, "after a wrong password")

    @check("set_session_password, then write allowed")
    def _():
        client.set_session_password(PASSWORD)
        client.db_write(1, 0, bytearray(b"\x2a"))
        expect(bytes(client.db_read(1, 0, 1)), b"\x2a", "written byte")

    @check("another connection stays locked")
    def _():
        write_refused(other, "other connection")

    @check("clear_session_password, then write refused again")
    def _():
        client.clear_session_password()
        write_refused(client, "after clear")
finally:
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()

failed = sum(1 for _, error in results if error is not None)
print(f"[{CLIENT_NAME}] {len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
