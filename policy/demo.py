"""Policy learning's part of ``seed_demo``."""


def seed_policy_demo(stdout) -> None:
    """Good practices (an Open Innovation Challenge and an innovation lab, with a transfer), a
    stakeholder group with two meetings, an action plan with three actions."""
    from .groups.demo import seed_groups_demo
    from .plans.demo import seed_plans_demo
    from .practices.demo import seed_practices_demo

    seed_practices_demo(stdout)
    seed_plans_demo(stdout, group=seed_groups_demo(stdout))
