"""Shared test helpers: import them as `tests.helpers.<module>` from any test (scenarios too).

- fixtures.py       the fixtures every directory shares: `library`, `data_dir`, `record_store` (loaded
                    for the whole suite by tests/conftest.py)
- leaks.py          the teardown check that fails a test leaving a window, dialog or running timer behind
- builders.py       pure-domain builders: a start, normal observations, a session folded in memory
- library_edit.py   a changed copy of the default library (`replaced(old, new)`)
- store_helpers.py  one valid record appended to a RecordStore
- timing.py         reminder timing judged against the record (reliability recipes)
- gui_helpers.py    finding widgets by objectName (find, text, find_all, open_dialog, select_tab,
                    finding_rows) and driving the window as a user does (choose, retype, paste,
                    screening, checklist)
- session_helpers.py driving the running-session widgets as a nurse does (fill a check, start a session)
"""
