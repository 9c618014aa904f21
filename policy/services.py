"""Policy learning's services (the contracts outside checks call; DESIGN.md "Contracts").

Each sub-package keeps its own services; this module re-exports the contract functions."""

from policy.practices.services import validate_practice

__all__ = ["validate_practice"]
