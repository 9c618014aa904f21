"""The app's read contracts (DESIGN.md, "Contracts"), re-exported from the sub-packages."""

from .calls.providers import suggested_providers

__all__ = ["suggested_providers"]
