"""DATEX II accidents: versions 2 and 3, whatever the prefixes; casualties, vehicles, bad input."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from iochub_plugins.traffic.datex2 import describe_datex2, read_datex2
from iochub_plugins.traffic.values import ValueProblem

from hub.connectors.records import BadRecord, Event, Skipped

VIETNAM = timezone(timedelta(hours=7))

VERSION_2 = b"""<?xml version="1.0" encoding="UTF-8"?>
<d2LogicalModel xmlns="http://datex2.eu/schema/2/2_0"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" modelBaseVersion="2">
  <exchange><supplierIdentification><country>other</country>
    <nationalIdentifier>VN-KT</nationalIdentifier></supplierIdentification></exchange>
  <payloadPublication xsi:type="SituationPublication" lang="vi">
    <publicationTime>2026-03-06T06:00:00+07:00</publicationTime>
    <situation id="S1" version="2">
      <overallSeverity>high</overallSeverity>
      <situationRecord xsi:type="Accident" id="S1-R1" version="2">
        <situationRecordCreationTime>2026-03-05T07:52:00+07:00</situationRecordCreationTime>
        <validity><validityStatus>active</validityStatus><validityTimeSpecification>
          <overallStartTime>2026-03-05T07:40:00+07:00</overallStartTime>
        </validityTimeSpecification></validity>
        <groupOfLocations xsi:type="Point">
          <locationForDisplay><latitude>14.4634</latitude><longitude>107.929</longitude>
          </locationForDisplay>
        </groupOfLocations>
        <accidentCause>excessiveSpeed</accidentCause>
        <accidentType>headOnCollision</accidentType>
        <accidentType>overturnedVehicle</accidentType>
        <vehicleInvolved><vehicleCharacteristics><vehicleType>lorry</vehicleType>
        </vehicleCharacteristics></vehicleInvolved>
        <vehicleInvolved><vehicleCharacteristics><vehicleType>motorcycle</vehicleType>
        </vehicleCharacteristics></vehicleInvolved>
        <groupOfPeopleInvolved><numberOfPeople>2</numberOfPeople>
          <injuryStatus>dead</injuryStatus></groupOfPeopleInvolved>
        <groupOfPeopleInvolved><injuryStatus>seriouslyInjured</injuryStatus>
        </groupOfPeopleInvolved>
        <groupOfPeopleInvolved><numberOfPeople>3</numberOfPeople>
          <injuryStatus>uninjured</injuryStatus></groupOfPeopleInvolved>
      </situationRecord>
      <situationRecord xsi:type="AbnormalTraffic" id="S1-R2" version="1">
        <situationRecordCreationTime>2026-03-05T08:00:00+07:00</situationRecordCreationTime>
      </situationRecord>
    </situation>
  </payloadPublication>
</d2LogicalModel>
"""

VERSION_3 = b"""<?xml version="1.0" encoding="UTF-8"?>
<pl:payload xmlns:pl="http://datex2.eu/schema/3/d2Payload"
    xmlns:s="http://datex2.eu/schema/3/situation" xmlns:c="http://datex2.eu/schema/3/common"
    xmlns:lr="http://datex2.eu/schema/3/locationReferencing"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="s:SituationPublication"
    lang="vi" modelBaseVersion="3">
  <c:publicationTime>2026-11-05T09:00:00+07:00</c:publicationTime>
  <s:situation id="T1">
    <s:situationRecord xsi:type="s:Accident" id="T1-A" version="1">
      <s:situationRecordCreationTime>2026-11-05T08:10:00+07:00</s:situationRecordCreationTime>
      <s:locationReference xsi:type="lr:PointLocation">
        <lr:supplementaryPositionalDescription><lr:roadInformation>
          <lr:roadNumber>QL24</lr:roadNumber></lr:roadInformation>
        </lr:supplementaryPositionalDescription>
        <lr:pointByCoordinates><lr:pointCoordinates>
          <lr:latitude>14.6806</lr:latitude><lr:longitude>108.278</lr:longitude>
        </lr:pointCoordinates></lr:pointByCoordinates>
      </s:locationReference>
      <s:accidentType>collision</s:accidentType>
      <s:groupOfVehiclesInvolved><s:numberOfVehicles>2</s:numberOfVehicles>
      </s:groupOfVehiclesInvolved>
      <s:vehicleInvolved/>
      <s:groupOfPeopleInvolved><s:numberOfPeople>1</s:numberOfPeople>
        <s:injuryStatus>slightlyInjured</s:injuryStatus></s:groupOfPeopleInvolved>
      <s:groupOfPeopleInvolved><s:numberOfPeople>2</s:numberOfPeople>
        <s:injuryStatus>injured</s:injuryStatus></s:groupOfPeopleInvolved>
    </s:situationRecord>
    <s:situationRecord xsi:type="s:Accident" id="T1-B" version="1">
      <s:situationRecordCreationTime>2026-11-05T08:30:00+07:00</s:situationRecordCreationTime>
      <s:accidentType>collision</s:accidentType>
    </s:situationRecord>
  </s:situation>
</pl:payload>
"""


def test_a_version_2_accident_with_its_casualties_vehicles_and_time() -> None:
    event, other = read_datex2(VERSION_2)

    assert isinstance(event, Event)
    assert (event.kind, event.source_id, event.unit) == ("traffic.accident", "S1-R1", None)
    assert event.occurred_at == datetime(2026, 3, 5, 7, 40, tzinfo=VIETNAM)  # the start time
    assert (event.lat, event.lon) == (14.4634, 107.929)
    assert event.attributes == {
        "deaths": 2,
        "injuries": 1,
        "vehicles": 2,
        "cause": "excessiveSpeed",
        "accident_type": "headOnCollision, overturnedVehicle",
        "record_version": "2",
        "datex_severity": "high",
    }
    assert event.severity == 3
    assert other == Skipped("DATEX II situation record that is not an accident: AbnormalTraffic")


def test_version_3_reads_alike_under_other_prefixes() -> None:
    accident, without_point = read_datex2(VERSION_3)

    assert isinstance(accident, Event)
    assert accident.source_id == "T1-A"
    assert accident.occurred_at == datetime(2026, 11, 5, 8, 10, tzinfo=VIETNAM)  # creation time
    assert (accident.lat, accident.lon) == (14.6806, 108.278)
    assert accident.attributes["road"] == "QL24"
    assert (accident.attributes["deaths"], accident.attributes["injuries"]) == (0, 3)
    assert accident.attributes["vehicles"] == 3  # a group of 2 and one vehicle
    assert isinstance(without_point, BadRecord)
    assert "no place" in without_point.reason
    assert without_point.place == "situationRecord T1-B"
    assert 'id="T1-B"' in without_point.payload["xml"]


def test_describe_counts_the_records_and_the_accidents() -> None:
    assert describe_datex2(VERSION_2) == (
        "a DATEX II publication of 2 situation records, 1 accidents"
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            b"<d2LogicalModel xmlns='http://datex2.eu/schema/2/2_0'><unclosed>",
            "not well-formed XML",
        ),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'/>", "not in a DATEX II namespace"),
        (
            b"<!DOCTYPE d [<!ENTITY a 'aaaa'>]><d2LogicalModel "
            b"xmlns='http://datex2.eu/schema/2/2_0'>&a;</d2LogicalModel>",
            "DTD",
        ),
    ],
)
def test_a_document_that_cannot_be_read_is_one_bad_record(content: bytes, reason: str) -> None:
    (bad,) = read_datex2(content)

    assert isinstance(bad, BadRecord)
    assert reason in bad.reason
    assert bad.place == "document"
    assert bad.payload["document"] == content.decode()
    with pytest.raises(ValueProblem):
        describe_datex2(content)


def test_a_bad_count_quarantines_that_record_only() -> None:
    broken = VERSION_3.replace(b"<s:numberOfVehicles>2<", b"<s:numberOfVehicles>two<")

    first, second = read_datex2(broken)

    assert isinstance(first, BadRecord) and "numberOfVehicles 'two'" in first.reason
    assert isinstance(second, BadRecord) and "no place" in second.reason
