"""A training session says so in its id, which every one of its records carries."""

from ketamine_desktop.domain.training import TRAINING_PREFIX, is_training


def test_training_ids() -> None:
    assert is_training(TRAINING_PREFIX + "0f3a")
    assert not is_training("0f3a")
    assert not is_training("Training-0f3a")  # exact, case and all
