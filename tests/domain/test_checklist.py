"""Which pre-start items are ticked before Start and which the running session records itself."""

from __future__ import annotations

import pytest

from ketamine_desktop.domain.checklist import items_done_in_app, items_to_tick
from ketamine_desktop.domain.library import Library, load_library, parse_library
from tests.helpers.library_edit import DEFAULT_LIBRARY, replaced


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library(DEFAULT_LIBRARY)


@pytest.mark.parametrize("protocol_id", ["subanesthetic-infusion", "acute-bolus", "intraoperative"])
def test_the_baseline_item_is_recorded_in_the_app_not_ticked(library: Library, protocol_id: str) -> None:
    protocol = library.protocol(protocol_id)
    assert [item.id for item in items_done_in_app(library, protocol)] == ["baseline-observations"]
    ticked = [item.id for item in items_to_tick(library, protocol)]
    assert "baseline-observations" not in ticked
    assert ticked == [i.id for i in library.document.checklist if i.id != "baseline-observations"]


def test_without_a_baseline_check_the_item_stays_a_tick_box() -> None:
    text = replaced(
        'id = "theatre"\nname = "Theatre"\nbaseline = true',
        'id = "theatre"\nname = "Theatre"\nbaseline = false',
    )
    library = parse_library(text.encode())
    protocol = library.protocol("intraoperative")
    assert items_done_in_app(library, protocol) == ()
    assert [i.id for i in items_to_tick(library, protocol)] == [i.id for i in library.document.checklist]
    # Other protocols (other schedules) are unchanged.
    assert len(items_done_in_app(library, library.protocol("acute-bolus"))) == 1


def test_an_item_without_done_in_app_is_always_ticked(library: Library) -> None:
    protocol = library.protocol("acute-bolus")
    double_check = next(i for i in library.document.checklist if i.requires_name)
    assert double_check.done_in_app is None
    assert double_check in items_to_tick(library, protocol)
