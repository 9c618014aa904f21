"""What the audit log records of companies (regiolab/audit/services.py)."""

from regiolab.audit import services as audit

from .models import Company


def register() -> None:
    audit.register(
        Company,
        # Derived columns, kept by companies.services from the figures that are logged.
        exclude=(
            "size_class_stored",
            "associated_headcount",
            "associated_turnover",
            "associated_balance_sheet",
        ),
    )
