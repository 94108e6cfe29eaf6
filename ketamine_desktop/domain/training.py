"""Training records: how a record says it is not a patient's.

A training session's id starts with `TRAINING_PREFIX`. The session id is a column of every record and is
covered by the hash chain, so every record of a training session says so by itself, in the file, in an
export and to `verify-record`; nothing else has to be looked up. The window shows TRAINING on every screen
while the record it has open holds training sessions, and starts only training sessions there.
"""

from __future__ import annotations

__all__ = ["TRAINING_PREFIX", "TRAINING_WORD", "is_training"]

TRAINING_PREFIX = "training-"
TRAINING_WORD = "TRAINING"


def is_training(session_id: str) -> bool:
    """The session is a training session (its records are not a patient's)."""
    return session_id.startswith(TRAINING_PREFIX)
