"""The demo call for ``seed_demo`` (Nordhessen style)."""


def seed_challenges_demo(stdout) -> None:
    """A call with 6 challenges, 15 proposals, reviews and a pitch day with a meeting plan."""
    from .calls.demo import seed_call_demo
    from .pitch.demo import seed_demo_calls
    from .review import demo as review_demo

    seed_call_demo(stdout)
    # Reviews of the demo call, then the pitch day's meeting plan for every call with challenges.
    review_demo.seed_latest(stdout)
    seed_demo_calls(stdout)
