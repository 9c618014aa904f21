"""grant_indicators on a fixture with known numbers, for two periods."""

from datetime import date
from decimal import Decimal

from funding.selectors import grant_indicators

FIRST_HALF = (date(2026, 1, 1), date(2026, 6, 30))
SECOND_HALF = (date(2026, 7, 1), date(2026, 12, 31))
# The fixture's networks run no learning programme (tests/learning/test_grant_figures.py does).
NO_LEARNING = {
    "learning_organisations": 0,
    "learning_every_cycle": 0,
    "learning_tasks_submitted": 0,
    "learning_workshops_held": 0,
}
# Nor any challenge call (tests/funding/test_challenge_indicators.py).
NO_CHALLENGES = {
    "challenges_published": 0,
    "challenge_proposals": 0,
    "challenge_companies": 0,
    "challenge_matches": 0,
    "challenge_cooperations": 0,
}


def test_first_half_of_2026(world):
    values = grant_indicators(grant=world, period_start=FIRST_HALF[0], period_end=FIRST_HALF[1])
    assert values == {
        "companies_reached": 3,  # C1 (member, attended), C3 (attended), C4 (member until Feb)
        "companies_advised": 2,  # C1, C3; C2 was not reached yet, C5 is in another network
        "smes_in_networks": 2,  # C1 small, C4 micro
        "workshops_held": 2,  # W1 and W6 (ends 23:30 on 30 June)
        "participants": 4,  # three attended in W1 (one without company), one in W6
        "participant_hours": Decimal("15.5"),  # 3 × 4 h + 1 × 3.5 h
        "participants_by_gender": {"female": 1, "male": 1},
        "participants_by_age_band": {"25_54": 1, "under_25": 1},
        "companies_by_size_class": {"small": 1, "large": 1, "micro": 1},
        "companies_by_sector": {"C": 2, "G": 1},
        **NO_LEARNING,
        **NO_CHALLENGES,
        # From surveys: none in this fixture (tests/surveys/test_grant_figures.py).
        "feedback_responses": 0,
        "feedback_satisfaction": Decimal(0),
        "feedback_recommend": Decimal(0),
        "companies_training_needs": 0,
    }


def test_second_half_of_2026(world):
    values = grant_indicators(grant=world, period_start=SECOND_HALF[0], period_end=SECOND_HALF[1])
    assert values == {
        "companies_reached": 2,  # C1 (member, confirmed for W2), C2 (joined in August)
        "companies_advised": 2,
        "smes_in_networks": 2,
        "workshops_held": 1,
        "participants": 2,
        "participant_hours": Decimal("13.0"),
        "participants_by_gender": {"female": 1, "diverse": 1},
        "participants_by_age_band": {"55_plus": 1},
        "companies_by_size_class": {"small": 1, "medium": 1},
        "companies_by_sector": {"C": 1, "J": 1},
        **NO_LEARNING,
        **NO_CHALLENGES,
        # From surveys: none in this fixture (tests/surveys/test_grant_figures.py).
        "feedback_responses": 0,
        "feedback_satisfaction": Decimal(0),
        "feedback_recommend": Decimal(0),
        "companies_training_needs": 0,
    }


def test_period_before_anything_happened(world):
    values = grant_indicators(
        grant=world, period_start=date(2024, 1, 1), period_end=date(2024, 12, 31)
    )
    assert values["companies_reached"] == 0
    assert values["participants"] == 0
    assert values["participant_hours"] == 0
