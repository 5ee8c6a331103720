"""An ``aggregate`` answer completed in one pass is graphql-core's answer, to the byte.

Each query runs twice on the same hub: through the API's schema (its values completed by
:class:`PlainListCompletion`) and through the same schema with strawberry's own execution
context, field by field. The two responses, encoded as the API encodes them, must be the
same bytes (the same fields, order, numbers and errors); and the one-pass path must have
been taken wherever the selection allows it.

The hub and the loader are the aggregation tests' (a made-up province 90 with five communes).
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import msgspec
import pytest
from sqlalchemy import update
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from hub.auth.authenticate import Authenticator
from hub.auth.scope import known_sectors
from hub.connectors.records import Observation as Record
from hub.core import Hub
from hub.graphql.context import context_getter
from hub.graphql.plain_lists import PlainListCompletion
from hub.graphql.schema import build_schema
from hub.model import AdminUnit
from tests.aggregation.conftest import COMMUNES, load
from tests.aggregation.conftest import hub as hub

EVERY_FIELD = """query($metric: String!, $by: [String!]) {
  aggregate(metric: $metric, periodType: MONTH, from: "2024-01", to: "2024-04",
            level: COMMUNE, within: "90", by: $by, asOf: "2024-06-01") {
    __typename period value dims unitsReporting unitsExpected estimated partsValue
    unit { __typename code name level unitType validFrom validTo lat lon areaKm2 }
  }
}"""
SHAPED = """query($metric: String!, $withDims: Boolean!, $skipUnit: Boolean!) {
  first: aggregate(metric: $metric, periodType: QUARTER, from: "2024-Q1", to: "2024-Q2",
                   units: ["90", "901"], asOf: "2024-06-01") {
    when: period
    ...figures
    ... on AggregateValue { dims @include(if: $withDims) value }
    unit @skip(if: $skipUnit) { id: code ...named }
    unit { level }
  }
  __typename
  second: aggregate(metric: $metric, periodType: YEAR, from: "2024", to: "2024",
                    level: DISTRICT, asOf: "2024-06-01") { value v: value }
}
fragment figures on AggregateValue { value unitsReporting }
fragment named on AdminUnit { name code }"""
NESTED = """query($metric: String!) {
  aggregate(metric: $metric, periodType: MONTH, from: "2024-01", to: "2024-02",
            level: COMMUNE, within: "901", asOf: "2024-06-01") {
    period value unit { code parent { code name } }
  }
}"""
REFUSED = """{
  aggregate(metric: "nothing", periodType: MONTH, from: "2024-01", to: "2024-02",
            units: ["90"]) { value }
}"""
VARIABLES = {"withDims": True, "skipUnit": False}


class Recording(PlainListCompletion):
    """The API's execution context, noting the types whose fields graphql-core resolved."""

    resolved: ClassVar[set[str]] = set()

    def execute_field(self, parent_type: Any, *args: Any, **kwargs: Any) -> Any:
        Recording.resolved.add(parent_type.name)
        return super().execute_field(parent_type, *args, **kwargs)


def answered(hub: Hub, query: str, variables: dict[str, Any], context_class: type) -> bytes:
    """The response's JSON, as the API encodes it, executed with ``context_class``."""
    schema = build_schema(hub.settings.server)
    schema.execution_context_class = context_class
    authenticator = Authenticator(hub.db, hub.settings.auth, known_sectors(hub.definitions))

    async def run() -> Any:
        context = await context_getter(hub, authenticator)()
        return await schema.execute(query, variable_values=variables, context_value=context)

    result = asyncio.run(run())
    errors = [error.formatted for error in result.errors or ()]
    return msgspec.json.encode({"data": result.data, "errors": errors})


def both(hub: Hub, query: str, **variables: Any) -> tuple[bytes, bytes]:
    """The response in one pass, and graphql-core's field by field."""
    Recording.resolved = set()
    return (
        answered(hub, query, variables, Recording),
        answered(hub, query, variables, StrawberryGraphQLCoreExecutionContext),
    )


@pytest.fixture
def loaded(hub: Hub) -> Hub:
    records = [
        Record("cases", code, month, float(number) + 0.25, {"sex": sex})
        for number, code in enumerate(COMMUNES)
        for month in ("2024-01", "2024-02", "2024-03")
        for sex in ("F", "M")
    ]
    records += [Record("tested", code, "2024-01", 8, {"sex": "F"}) for code in COMMUNES]
    records += [Record("positive", code, "2024-01", 3, {"sex": "F"}) for code in COMMUNES[:2]]
    load(hub, records)
    with hub.db.session() as session:
        session.execute(
            update(AdminUnit)
            .where(AdminUnit.code == COMMUNES[0])
            .values(lat=14.35, lon=108.0, area_km2=12.5, unit_type="Phường")
        )
    return hub


@pytest.mark.parametrize(
    ("metric", "by"),
    [("cases", ["sex"]), ("cases", None), ("positivity", ["sex"]), ("stock", None)],
)
def test_every_field_is_written_as_graphql_core_writes_it(
    loaded: Hub, metric: str, by: list[str] | None
) -> None:
    one_pass, field_by_field = both(loaded, EVERY_FIELD, metric=metric, by=by)
    assert one_pass == field_by_field
    assert b'"errors":[]' in one_pass
    assert {"AggregateValue", "AdminUnit"}.isdisjoint(Recording.resolved)


@pytest.mark.parametrize("with_dims", [True, False])
@pytest.mark.parametrize("skip_unit", [True, False])
def test_aliases_fragments_and_directives_select_the_same_fields(
    loaded: Hub, with_dims: bool, skip_unit: bool
) -> None:
    variables = {"metric": "cases", "withDims": with_dims, "skipUnit": skip_unit}
    one_pass, field_by_field = both(loaded, SHAPED, **variables)
    assert one_pass == field_by_field
    assert (b'"dims"' in one_pass) is with_dims
    assert (b'"id"' in one_pass) is not skip_unit
    assert {"AggregateValue", "AdminUnit"}.isdisjoint(Recording.resolved)


def test_a_client_asking_only_value_gets_only_value(loaded: Hub) -> None:
    query = """{ aggregate(metric: "cases", periodType: YEAR, from: "2024", to: "2024",
                           units: ["90"], asOf: "2024-06-01") { value } }"""
    one_pass, field_by_field = both(loaded, query)
    assert one_pass == field_by_field
    assert msgspec.json.decode(one_pass)["data"] == {"aggregate": [{"value": 67.5}]}


def test_a_field_with_a_resolver_leaves_the_list_to_graphql_core(loaded: Hub) -> None:
    one_pass, field_by_field = both(loaded, NESTED, metric="cases")
    assert one_pass == field_by_field
    assert b'"parent":{"code":"901"' in one_pass
    assert "AggregateValue" in Recording.resolved  # the whole list, field by field


def test_a_refusal_is_the_same_error(loaded: Hub) -> None:
    one_pass, field_by_field = both(loaded, REFUSED)
    assert one_pass == field_by_field
    assert b"BAD_USER_INPUT" in one_pass


def test_an_empty_answer_is_an_empty_list(loaded: Hub) -> None:
    query = EVERY_FIELD.replace("2024-01", "2023-01").replace("2024-04", "2023-02")
    one_pass, field_by_field = both(loaded, query, metric="beds", by=None)
    assert one_pass == field_by_field
    assert b'"value":null' in one_pass  # the communes are listed, nothing reported
