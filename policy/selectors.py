"""Policy learning's selectors: re-exports of the sub-packages' read functions other apps use."""

from policy.practices.selectors import practice_for, public_practices

__all__ = ["practice_for", "public_practices"]
