"""The audit log keeps whatever text a caller sent, on every database."""

from __future__ import annotations

from sqlalchemy import select

from hub.auth.audit import MAX_TEXT, record, record_refused_sign_in
from hub.auth.principal import Principal, Role
from hub.model import AuditEntry
from hub.model.database import Database


def test_a_nul_character_is_spelt_out_and_long_texts_cut(database: Database) -> None:
    with database.session() as session:
        record(
            session,
            Principal("officer\x00", Role.ADMIN),
            "reopenReport",
            {"period": "2024-\x0001", "reason": "x" * (MAX_TEXT + 50), "count": 3},
            client="10.0.0.1\x00",
            outcome="BAD_USER_INPUT",
        )
        record_refused_sign_in(session, "jwt", "bad\x00signature", None)
    with database.session() as session:
        kept, refused = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert kept.actor == "officer\\u0000" and kept.client == "10.0.0.1\\u0000"
    assert kept.target == {"period": "2024-\\u000001", "reason": "x" * MAX_TEXT, "count": 3}
    assert refused.target == {"reason": "bad\\u0000signature"}
