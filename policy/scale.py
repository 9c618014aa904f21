"""Scale data for ``seed_scale``: 500 practices, 50 action plans × 10 actions, 5 partner feeds
× 200 events."""


def flush_scale_policy() -> None:
    """Delete the scale rows of policy learning only (plans first: they point at practices)."""
    from .feeds.scale import flush_scale_feeds
    from .plans.scale import flush_scale_plans
    from .practices.scale import flush_scale_practices

    flush_scale_feeds()
    flush_scale_plans()
    flush_scale_practices()


def seed_scale_policy(seeder) -> int:
    """Bulk-insert the scale rows; returns the number of rows written."""
    from .feeds.scale import seed_scale_feeds
    from .plans.scale import seed_scale_plans
    from .practices.scale import seed_scale_practices

    return seed_scale_practices(seeder) + seed_scale_plans(seeder) + seed_scale_feeds(seeder)
