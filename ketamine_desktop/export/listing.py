"""The sessions of a record, listed from what their records say (for `sessions` and the export dialog)."""

from __future__ import annotations

from ketamine_desktop.export.source import is_training_session
from ketamine_desktop.store.snapshot import RecordSnapshot

__all__ = ["session_summaries"]


def session_summaries(snapshot: RecordSnapshot) -> list[dict[str, object]]:
    """One entry per session in the order they started: id, bed, protocol, start, end (the close, else
    the stop, else null), records, training. Times as stored (ISO 8601, UTC)."""
    summaries: dict[str, dict[str, object]] = {}
    counts: dict[str, int] = {}
    for record in snapshot.records:
        summary = summaries.get(record.session_id)
        if summary is None:
            payload = record.payload if record.kind == "session-started" else {}
            summary = summaries[record.session_id] = {
                "id": record.session_id,
                "bed": payload.get("bed_label"),
                "protocol": payload.get("protocol_id"),
                "start": payload.get("started_at"),
                "end": None,
                "records": 0,
                "training": is_training_session(record.session_id),
                "initials": payload.get("patient_initials"),
            }
        counts[record.session_id] = counts.get(record.session_id, 0) + 1
        summary["records"] = counts[record.session_id]
        stop = record.kind == "event" and record.payload.get("kind") == "stop"
        if stop or record.kind == "session-closed":  # the close, written after the stop, wins
            summary["end"] = record.payload.get("at")
    return list(summaries.values())
