"""The sdmx-json and sdmx-csv connector kinds: mapping, incremental reads, errors, check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from hub.connectors.base import Connector
from hub.connectors.errors import PermanentSourceError, TransientSourceError
from hub.connectors.records import BadRecord, Checkpoint, Observation
from tests.plugins.indicators.conftest import SDMX_SAMPLES
from tests.plugins.indicators.test_sdmx_csv import KONTUM_V2
from tests.support.http_server import Reply, ScriptedServer

EXR = "exr-time-series.json"
EXR_MAPPING: dict[str, Any] = {
    "metric": "exchange_rate",
    "unit": "62",
    "drop_dims": ["FREQ", "CURRENCY_DENOM", "EXR_TYPE", "EXR_SUFFIX"],
}


def sample(name: str) -> str:
    return str(SDMX_SAMPLES / name)


def observations(items: list[Any]) -> list[Observation]:
    return [i for i in items if isinstance(i, Observation)]


def bad(items: list[Any]) -> list[BadRecord]:
    return [i for i in items if isinstance(i, BadRecord)]


SdmxJson = Callable[..., Connector]


@pytest.fixture
def sdmx_json(make_connector: Callable[..., Connector]) -> SdmxJson:
    def build(location: str, **table: Any) -> Connector:
        return make_connector("sdmx-json", location=location, **{**EXR_MAPPING, **table})

    return build


def test_maps_the_sample_to_observations(sdmx_json: SdmxJson) -> None:
    items = list(sdmx_json(sample(EXR)).read({}, full=False))

    assert [(o.metric, o.unit, o.period, o.value, o.dims) for o in observations(items)] == [
        ("exchange_rate", "62", "2013-01-18", 1.5931, {"currency": "NZD"}),
        ("exchange_rate", "62", "2013-01-21", 1.5925, {"currency": "NZD"}),
        ("exchange_rate", "62", "2013-01-18", 40.3426, {"currency": "RUB"}),
        ("exchange_rate", "62", "2013-01-21", 40.3, {"currency": "RUB"}),
    ]
    assert observations(items)[0].source_id == "D.NZD.EUR.SP00.A@2013-01-18"
    assert bad(items) == []
    assert isinstance(items[-1], Checkpoint)
    assert set(items[-1].state) == {"sha256", "last_modified"}


def test_dimensions_become_disaggregations_by_default(sdmx_json: SdmxJson) -> None:
    connector = sdmx_json(sample(EXR), drop_dims=["FREQ"])

    first = observations(list(connector.read({}, full=False)))[0]

    assert first.dims == {
        "currency_denom": "EUR",
        "exr_type": "SP00",
        "exr_suffix": "A",
        "currency": "NZD",
    }


def test_dimensions_renamed_recoded_fixed_and_totals(sdmx_json: SdmxJson) -> None:
    connector = sdmx_json(
        sample(EXR),
        dim_names={"CURRENCY": "currency_code"},
        dim_values={"CURRENCY": {"NZD": "nz_dollar", "RUB": "_T"}},
        fixed_dims={"source_system": "ecb"},
    )

    dims = [o.dims for o in observations(list(connector.read({}, full=False)))]

    assert dims[0] == {"currency_code": "nz_dollar", "source_system": "ecb"}
    assert dims[2] == {"source_system": "ecb"}  # recoded to _T: the total


def test_indicator_and_unit_codes_through_the_mappings(sdmx_json: SdmxJson) -> None:
    connector = sdmx_json(
        sample("agri.json"),
        metric=None,
        metric_dimension="FREQ",
        metrics={"A": "rice_production"},
        unit=None,
        unit_dimension="REF_AREA",
        units={"ASIKHM001": "608", "ASIKHM002": "610"},
        drop_dims=[],  # no scale: the data set's UNIT_MULT 3 says the values are thousands
    )

    items = list(connector.read({}, full=False))

    assert [(o.metric, o.unit, o.period, o.value) for o in observations(items)][:2] == [
        ("rice_production", "608", "2014", 350154.0),
        ("rice_production", "608", "2015", 389385.0),
    ]
    assert len(observations(items)) == 8
    assert bad(items)[0].reason == (
        "data set 0, observation '2:0' (ASIKHM.A): unit 'ASIKHM' (REF_AREA) is neither in the "
        "units mapping nor a GSO code"
    )
    assert len(bad(items)) == 4


def test_an_indicator_code_not_in_the_mapping(sdmx_json: SdmxJson) -> None:
    table = {"metric": None, "metric_dimension": "CURRENCY", "metrics": {"NZD": "nzd_rate"}}

    items = list(sdmx_json(sample(EXR), **table).read({}, full=False))

    assert len(observations(items)) == 2
    assert [p.reason for p in bad(items)] == [
        f"data set 0, series '1' (D.RUB.EUR.SP00.A), observation '{i}': indicator code 'RUB' "
        "(CURRENCY) is not in the metrics mapping"
        for i in (0, 1)
    ]

    skipping = sdmx_json(sample(EXR), skip_unmapped=True, **table)
    assert bad(list(skipping.read({}, full=False))) == []


def test_a_data_set_without_the_metric_dimension_is_one_bad_record(sdmx_json: SdmxJson) -> None:
    table = {"metric": None, "metric_dimension": "INDICATOR", "metrics": {"X": "x"}}

    items = list(sdmx_json(sample(EXR), **table).read({}, full=False))

    assert observations(items) == []
    [problem] = bad(items)
    assert problem.reason == (
        "data set 0: skipped, no INDICATOR dimension (dimensions: CURRENCY, CURRENCY_DENOM, "
        "EXR_SUFFIX, EXR_TYPE, FREQ)"
    )


def test_deleted_observations_have_no_value(sdmx_json: SdmxJson) -> None:
    items = observations(list(sdmx_json(sample("exr-action-delete.json")).read({}, False)))

    assert [(o.dims["currency"], o.period, o.value) for o in items] == [
        ("RUB", "2013-01-18", 40.3426),
        ("RUB", "2013-01-21", 40.3),
        ("NZD", "2013-01-18", None),
    ]


def test_missing_values_are_no_record_and_texts_are_bad(sdmx_json: SdmxJson) -> None:
    items = list(sdmx_json(sample("constructed-sample-full.json")).read({}, full=False))

    assert len(observations(items)) == 12  # data sets 0, 1 and 3; data set 2 has no values
    reasons = [p.reason for p in bad(items)]
    assert len(reasons) == 5  # the sender's errors, and data set 4's four attribute-only arrays
    assert reasons[1] == (
        "data set 4, observation '0:0' (D.NZD.EUR.SP00.A): '2013-03-18T11:00:00' is not a number"
    )


def test_an_unchanged_file_is_skipped_unless_full(sdmx_json: SdmxJson) -> None:
    connector = sdmx_json(sample(EXR))
    state = list(connector.read({}, full=False))[-1].state

    assert list(connector.read(state, full=False)) == [Checkpoint(state)]
    assert len(observations(list(connector.read(state, full=True)))) == 4


def test_over_http_with_etag_and_a_token(sdmx_json: SdmxJson, http_server: ScriptedServer) -> None:
    body = (SDMX_SAMPLES / EXR).read_bytes()
    http_server.script("/data/EXR", Reply(200, body, {"ETag": '"2013-01-21"'}))
    connector = sdmx_json(http_server.url("/data/EXR"), token="s3cret")

    first = list(connector.read({}, full=False))
    second = list(connector.read(first[-1].state, full=False))
    again = list(connector.read(first[-1].state, full=True))

    assert len(observations(first)) == 4
    assert first[-1].state["etag"] == '"2013-01-21"'
    assert second == [Checkpoint(first[-1].state)]  # 304 Not Modified
    assert len(observations(again)) == 4
    requests = http_server.requests_for("/data/EXR")
    assert [r.headers.get("If-None-Match") for r in requests] == [None, '"2013-01-21"', None]
    assert {r.headers["Authorization"] for r in requests} == {"Bearer s3cret"}
    assert requests[0].headers["Accept"].startswith("application/vnd.sdmx.data+json")


def test_a_changed_document_without_validators_is_read_again(
    sdmx_json: SdmxJson, http_server: ScriptedServer
) -> None:
    old = (SDMX_SAMPLES / EXR).read_bytes()
    new = (SDMX_SAMPLES / "exr-action-delete.json").read_bytes()
    http_server.script("/data", Reply(200, old), Reply(200, old), Reply(200, new))
    connector = sdmx_json(http_server.url("/data"))

    state = list(connector.read({}, full=False))[-1].state
    unchanged = list(connector.read(state, full=False))
    changed = list(connector.read(state, full=False))

    assert unchanged == [Checkpoint(state)]
    assert len(observations(changed)) == 3
    assert changed[-1].state["sha256"] != state["sha256"]


def test_source_faults_reach_the_runtime(sdmx_json: SdmxJson, http_server: ScriptedServer) -> None:
    http_server.script("/busy", Reply(503, headers={"Retry-After": "30"}))

    with pytest.raises(TransientSourceError) as raised:
        list(sdmx_json(http_server.url("/busy")).read({}, full=False))
    assert raised.value.retry_after == 30
    with pytest.raises(PermanentSourceError, match="HTTP 404"):
        sdmx_json(http_server.url("/missing")).check()


def test_check_summarises_the_message_and_the_mapping(sdmx_json: SdmxJson) -> None:
    assert sdmx_json(sample(EXR)).check() == (
        "SDMX-JSON data message with 1 data set, 2 series, 4 observations; "
        "4 values map to observations, 0 would be quarantined"
    )
    with pytest.raises(PermanentSourceError, match=r"README\.md: not valid JSON"):
        sdmx_json(sample("../README.md")).check()


def test_sdmx_csv(make_connector: Callable[..., Connector], tmp_path: Any) -> None:
    path = tmp_path / "ktxh.csv"
    path.write_text(KONTUM_V2, encoding="utf-8")
    connector = make_connector(
        "sdmx-csv",
        location=str(path),
        metric_dimension="INDICATOR",
        metrics={"B1GQ": "grdp", "POP": "population"},
        unit_dimension="REF_AREA",
        units={"VN-KT": "62"},
    )

    items = list(connector.read({}, full=False))

    assert [(o.metric, o.unit, o.period, o.value) for o in observations(items)] == [
        ("grdp", "62", "2024-Q1", 8600.5),
        ("grdp", "62", "2024-Q2", 9600),
        ("grdp", "62", "2023-Q4", None),  # ACTION D
        ("population", "62", "2024", 581500),
    ]
    assert observations(items)[0].place == "line 2"
    assert connector.check().startswith("SDMX-CSV 2 file with 4 observation rows")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"unit": "62"}, "give either metric"),
        ({"metric": "x", "metric_dimension": "INDICATOR", "unit": "62"}, "give either metric"),
        ({"metric_dimension": "INDICATOR", "unit": "62"}, "needs a metrics mapping"),
        ({"metric": "x"}, "give either unit"),
        ({"metric": "x", "unit": "62", "units": {"VN-KT": "62x"}}, "not a GSO code"),
        ({"metric": "x", "unit": "62", "scale": {"x": float("nan")}}, "finite"),
        ({"metric": "x", "unit": "62", "location": ""}, "at least 1 character"),
        ({"metric": "x", "unit": "62", "metrix": {}}, "Extra inputs are not permitted"),
    ],
)
def test_configs_that_do_not_validate(
    make_connector: Callable[..., Connector], table: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make_connector("sdmx-json", **{"location": "x.json", **table})


def test_secrets_are_not_shown(make_connector: Callable[..., Connector]) -> None:
    connector = make_connector(
        "sdmx-json",
        location="x.json",
        metric="x",
        unit="62",
        token="s3cret",
        headers={"X-Api-Key": "k3y"},
    )

    assert "s3cret" not in repr(connector.config)
    assert "k3y" not in repr(connector.config)
    assert connector.config.request_headers() == {  # type: ignore[attr-defined]
        "X-Api-Key": "k3y",
        "Authorization": "Bearer s3cret",
    }
