"""python-snap7 3.3.0 as the client under test, s7-mock as the PLC, steered through its
control API (see conftest.py for the fixtures, docs/control-api.md for the API)."""

import struct
import time

import pytest
import snap7
from snap7.error import S7Error
from snap7.util import get_bool, get_dint, get_int, get_real, set_int, set_real

from conftest import PLC_PROFILE, ControlError, start_mock

RUN, STOP = 0x08, 0x04


def cpu_mode(client):
    """The mode byte of SZL 0x0424 (08 RUN, 04 STOP). python-snap7 3.3.0's get_cpu_state sends
    a request without the SZL, so it cannot tell; read the list itself."""
    szl = client.read_szl(0x0424, 0)
    data = bytes(b & 0xFF for b in szl.Data[: szl.Header.LengthDR])
    # LENTHDR (2 bytes), N_DR (2 bytes), then the first record; its 4th byte is the mode.
    lenthdr, count = struct.unpack(">HH", data[:4])
    assert count >= 1 and lenthdr >= 4, data.hex()
    return data[4 + 3]


def test_profile_is_served(mock, client):
    status = mock.control.status()
    assert status["preset"] == "s7-1500"
    assert status["cpu"] == "run"
    assert client.get_order_code().OrderCode.decode().startswith("6ES7 516-3AN01-0AB0")
    # The image the profile loads into DB1.
    assert bytes(client.db_read(1, 0, 8)) == b"S7MOCK\x00\x01"


def test_value_set_through_the_api_is_read_with_its_type(mock, client):
    image = struct.pack(">fhi", 1500.25, -42, 123456789) + bytes([0b0000_1000])
    mock.control.write("db", 20, image, db=1)

    data = client.db_read(1, 20, len(image))
    assert get_real(data, 0) == 1500.25
    assert get_int(data, 4) == -42
    assert get_dint(data, 6) == 123456789
    assert get_bool(data, 10, 3) is True
    assert get_bool(data, 10, 2) is False


def test_write_by_the_client_is_seen_through_the_api(mock, client):
    data = bytearray(6)
    set_real(data, 0, -2.5)
    set_int(data, 4, 30000)
    client.db_write(2, 100, data)
    client.mb_write(10, 3, bytearray(b"abc"))

    assert mock.control.read("db", 100, 6, db=2) == struct.pack(">fh", -2.5, 30000)
    assert mock.control.read("merkers", 10, 3) == b"abc"


def test_item_return_code_fault_hits_the_client(mock, client):
    mock.control.write("db", 0, b"\x11\x22", db=1)
    fault = mock.control.fault(
        fault="item_return_code",
        return_code="address_out_of_range",
        when={"function": "read_var"},
        times=1,
    )

    # python-snap7 raises S7ProtocolError("Read operation failed: Invalid address (0x05)").
    with pytest.raises(S7Error, match=r"0x05"):
        client.db_read(1, 0, 2)

    # Only once: the next read is served, on the same connection.
    assert bytes(client.db_read(1, 0, 2)) == b"\x11\x22"
    [rule] = [f for f in mock.control.faults() if f["id"] == fault]
    assert rule["hits"] == 1 and rule["remaining"] == 0


def test_disconnect_fault_drops_the_client(mock):
    mock.control.fault(fault="disconnect", when={"function": "write_var"})
    client = mock.client()
    try:
        with pytest.raises(Exception):  # noqa: B017 - python-snap7 raises by what broke
            client.db_write(1, 0, bytearray(b"\x01"))
    finally:
        client.disconnect()
    # The mock handled the write, then sent a DR in place of the answer: the answer was lost,
    # not the write (what a client cannot tell apart on a real network).
    assert mock.control.read("db", 0, 1, db=1) == b"\x01"
    deadline = time.monotonic() + 5
    while mock.control.call("GET", "/connections")["connections"]:
        assert time.monotonic() < deadline, "the connection is still listed after its DR"
        time.sleep(0.02)
    again = mock.client()
    try:
        again.db_write(1, 0, bytearray(b"\x02"))
        assert mock.control.read("db", 0, 1, db=1) == b"\x02"
    finally:
        again.disconnect()


def test_delay_fault_slows_one_read(mock, client):
    fault = mock.control.fault(fault="delay", ms=300, when={"function": "read_var"}, times=1)
    began = time.monotonic()
    assert bytes(client.db_read(1, 0, 2)) == b"S7"
    assert time.monotonic() - began >= 0.3  # a lower bound only: never flaky
    client.db_read(1, 0, 2)
    [rule] = mock.control.faults()
    assert (rule["id"], rule["hits"], rule["remaining"]) == (fault, 1, 0)


def test_request_log_records_what_the_client_did(mock, client):
    [setup] = mock.control.requests()["requests"]
    assert setup["function"] == "setup"
    client.db_read(1, 4, 2)
    client.mb_write(7, 2, bytearray(b"\xbe\xef"))

    log = mock.control.requests(since=setup["sequence"], wait_ms=2000)
    assert log["dropped"] == 0
    read, write = log["requests"]
    assert (read["function"], write["function"]) == ("read_var", "write_var")
    assert read["items"] == [{"area": "db", "db": 1, "start": 4, "len": 2, "type": "byte"}]
    assert write["items"] == [
        {"area": "merkers", "db": None, "start": 7, "len": 2, "type": "byte", "hex": "beef"}
    ]
    assert read["error"] is None and write["fault"] is None
    assert read["connection"] == write["connection"] == setup["connection"]
    assert log["next"] == write["sequence"]


def test_cpu_stop_through_the_api_is_seen_by_the_client(mock, client):
    assert cpu_mode(client) == RUN
    assert mock.control.cpu("stop") == "stop"
    assert cpu_mode(client) == STOP
    mock.control.cpu("run")
    assert cpu_mode(client) == RUN


def test_reset_restores_the_profile(mock, client):
    client.db_write(1, 0, bytearray(b"changed!"))
    mock.control.cpu("stop")
    mock.control.fault(fault="stall", when={"function": "write_var"}, times="always")
    assert bytes(client.db_read(1, 0, 8)) == b"changed!"

    assert mock.control.reset() == {"reset": True}

    # Memory as the profile loaded it, CPU in RUN, no faults, an empty log; the client's
    # connection stays open.
    assert mock.control.faults() == []
    assert mock.control.requests()["requests"] == []
    assert cpu_mode(client) == RUN
    assert bytes(client.db_read(1, 0, 8)) == b"S7MOCK\x00\x01"
    client.db_write(1, 0, bytearray(b"\x00"))


def test_bad_input_to_the_api_is_a_4xx_and_the_s7_side_goes_on(mock, client):
    with pytest.raises(ControlError) as missing:
        mock.control.read("db", 0, 1, db=9)
    assert missing.value.status == 404
    with pytest.raises(ControlError) as bad:
        mock.control.call("POST", "/faults", {"fault": "delay"})
    assert bad.value.status == 400 and "error" in bad.value.body
    assert bytes(client.db_read(1, 0, 2)) == b"S7"


@pytest.mark.parametrize(
    ("preset", "slot", "pdu"),
    [("s7-300", 2, 240), ("s7-400", 3, 480), ("s7-1200", 1, 240), ("s7-1500", 1, 480)],
)
def test_presets_answer_as_their_cpu(preset, slot, pdu):
    """Each shipped preset profile, at its rack/slot, granting its PDU to python-snap7's 480."""
    profile = PLC_PROFILE.parent.parent / "profiles" / f"{preset}.toml"
    with start_mock(profile, slot=slot) as plc:
        assert plc.control.status()["preset"] == preset
        client = plc.client()
        try:
            assert client.get_pdu_length() == pdu
            assert cpu_mode(client) == RUN
        finally:
            client.disconnect()
        wrong = snap7.Client()
        with pytest.raises(Exception):
            wrong.connect(plc.host, 0, slot + 1, plc.port)


def test_tag_set_through_the_api_is_read_by_the_client(tagged_mock):
    control = tagged_mock.control
    assert control.tag("motor_speed")["value"] == 1500.0
    assert control.tag("running")["value"] is True
    control.set_tag("motor_speed", 42.5)

    client = tagged_mock.client()
    try:
        assert client.db_read_real(1, 20) == 42.5
        assert get_bool(client.db_read(1, 50, 1), 0, 3) is True
        client.db_write_real(1, 20, -1.0)
    finally:
        client.disconnect()
    assert control.tag("motor_speed")["value"] == -1.0
    assert control.tag("DB1.DBW20:INT")["type"] == "INT"


def test_simulated_value_moves_between_reads(tagged_mock):
    client = tagged_mock.client()
    try:
        first = client.db_read_dint(1, 30)
        time.sleep(0.2)
        second = client.db_read_dint(1, 30)
    finally:
        client.disconnect()
    # A counter stepping by 1 every 20 ms: about 10 steps in 200 ms.
    assert second > first
