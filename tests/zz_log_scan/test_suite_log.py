"""Runs last (its folder sorts last): everything the suite made the service log at the production level
holds no mobile number, ID number, token, UserSig, configured secret, or the suite's passwords."""

from tests.logscan import SUITE_LINES, configured_secrets, password_forms, report, scan

# The passwords the suite's tests use (tests/helpers.make_user's default and the account tests').
SUITE_PASSWORDS = ("secret123", "pw-123456", "abc12345", "plain-Passw0rd")


def test_the_whole_suite_logged_no_personal_data_nor_credential():
    hits = scan(SUITE_LINES, [*configured_secrets(), "app-secret", *password_forms(*SUITE_PASSWORDS)])
    assert not hits, report(hits[:50])
