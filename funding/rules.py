import rules

from regiolab.permissions import is_coordinator, is_funder


@rules.predicate
def is_funder_of_grant(user, grant) -> bool:
    """The user belongs to a funding body holding a share of the grant."""
    if grant is None or not user.is_authenticated:
        return False
    return grant.shares.filter(funder__users=user).exists()


@rules.predicate
def is_funder_of_report(user, report) -> bool:
    return report is not None and is_funder_of_grant(user, report.grant)


@rules.predicate
def is_funder_of_expenditure(user, expenditure) -> bool:
    return expenditure is not None and is_funder_of_grant(user, expenditure.grant)


# Any coordinator manages every grant: the office is small and covers for each other.
can_view_grant = is_coordinator | is_funder_of_grant
can_manage_grants = is_coordinator
can_download_report = is_coordinator | is_funder_of_report

rules.add_perm("funding.view_funder_portal", is_funder)
rules.add_perm("funding.view_grant_list", is_coordinator | is_funder)
rules.add_perm("funding.view_grant", can_view_grant)
rules.add_perm("funding.manage_grants", can_manage_grants)
rules.add_perm("funding.download_report", can_download_report)
# Receipts are audit evidence: the funders who check the Belegliste open them too.
rules.add_perm("funding.view_receipt", is_coordinator | is_funder_of_expenditure)
