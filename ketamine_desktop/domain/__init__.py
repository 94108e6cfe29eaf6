"""The clinical core: pure functions over frozen pydantic models. No Qt, no storage, ever."""
