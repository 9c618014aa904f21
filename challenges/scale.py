"""Scale data for ``seed_scale``: 20 calls (``--calls``) × 20 challenges × 15 proposals."""


def flush_scale_challenges() -> None:
    """Delete the scale calls only."""
    from .calls.scale import flush_scale_calls
    from .review.scale import flush_scale_reviews

    flush_scale_calls()
    flush_scale_reviews()


def seed_scale_challenges(seeder) -> int:
    """Bulk-insert the scale calls; returns the number of rows written."""
    from .calls.scale import seed_scale_calls
    from .review.scale import seed_scale_reviews

    return seed_scale_calls(seeder) + seed_scale_reviews(seeder)
