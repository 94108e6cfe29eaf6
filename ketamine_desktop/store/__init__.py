"""The durable record: an append-only, hash-chained SQLite ledger (WAL, synchronous=FULL). No Qt here.

Start with `RecordStore.open(data_dir)` after taking `InstanceLock(data_dir)`; catch `StoreError`
(its text is fit for the user). `SaveFailed` means an append did not happen and can be retried.
"""

from ketamine_desktop.store.chain import ChainVerdict
from ketamine_desktop.store.connection import StoreError
from ketamine_desktop.store.instance_lock import InstanceLock, InstanceLocked
from ketamine_desktop.store.paths import default_data_dir
from ketamine_desktop.store.payload import InvalidPayload
from ketamine_desktop.store.record_store import InvalidRecord, RecordStore, SaveFailed
from ketamine_desktop.store.stored_record import StoredRecord
from ketamine_desktop.store.verify_cli import run_verify_record

__all__ = [
    "ChainVerdict",
    "InstanceLock",
    "InstanceLocked",
    "InvalidPayload",
    "InvalidRecord",
    "RecordStore",
    "SaveFailed",
    "StoreError",
    "StoredRecord",
    "default_data_dir",
    "run_verify_record",
]
