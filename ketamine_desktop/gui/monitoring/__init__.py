"""The Monitoring tab's running session: header, timed list, record-check form, events, history, trend."""
