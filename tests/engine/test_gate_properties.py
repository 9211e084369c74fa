"""Property tests: whatever bytes arrive, the gate answers with a report or a gate error."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.engine import hostile
from workers.engine.errors import RejectedInput
from workers.engine.gate import GateReport, check_apk
from workers.engine.limits import GateLimits

LIMITS = GateLimits(max_seconds=10)
PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _gate_answers(path, data: bytes) -> None:
    path.write_bytes(data)
    try:
        report = check_apk(path, LIMITS)
    except RejectedInput as error:
        assert error.code and error.code != "rejected_input"
        assert "\n" not in error.message
    else:
        assert isinstance(report, GateReport)


@pytest.fixture(scope="module")
def small_apk_bytes(tmp_path_factory, small_app):
    """The fixture app rebuilt without signature files, so mutations reach every check."""
    return hostile.build_zip(hostile.app_entries(small_app))


@PROPERTY_SETTINGS
@given(data=st.binary(max_size=4096))
def test_any_byte_string_yields_a_report_or_a_gate_error(tmp_path, data):
    _gate_answers(tmp_path / "random.apk", data)


@PROPERTY_SETTINGS
@given(data=st.binary(max_size=512))
def test_any_bytes_behind_a_zip_signature_yield_a_report_or_a_gate_error(tmp_path, data):
    _gate_answers(tmp_path / "random.apk", b"PK\x03\x04" + data + b"PK\x05\x06" + data[:18])


@PROPERTY_SETTINGS
@given(
    flips=st.lists(
        st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)),
        min_size=1,
        max_size=8,
    ),
    cut=st.one_of(st.none(), st.integers(min_value=0)),
)
def test_mutations_of_a_valid_apk_yield_a_report_or_a_gate_error(
    tmp_path, small_apk_bytes, flips, cut
):
    data = bytearray(small_apk_bytes)
    for position, value in flips:
        data[position % len(data)] = value
    if cut is not None:
        del data[cut % len(data) :]

    _gate_answers(tmp_path / "mutated.apk", bytes(data))


@PROPERTY_SETTINGS
@given(
    position=st.integers(min_value=0),
    inserted=st.binary(min_size=1, max_size=64),
)
def test_insertions_into_a_valid_apk_yield_a_report_or_a_gate_error(
    tmp_path, small_apk_bytes, position, inserted
):
    index = position % len(small_apk_bytes)
    data = small_apk_bytes[:index] + inserted + small_apk_bytes[index:]

    _gate_answers(tmp_path / "inserted.apk", data)
