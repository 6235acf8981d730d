"""Bad input never breaks it: every operation of /api/schema, as every role, with generated valid and
invalid input, answers no 5xx and nothing outside its declared shape (tests/platform/fuzzing.py).
In `make test` a few seeded examples per operation and role; `make fuzz` runs the full campaign."""

import math

import pytest

from tests.platform import fuzzing


@pytest.mark.django_db(transaction=True)
def test_every_operation_as_every_role_stays_within_its_schema(tim, wechat, capsys):
    idents = fuzzing.identities(fuzzing.make_world())
    schema = fuzzing.load_schema()
    tally = fuzzing.Tally()
    if fuzzing.full_run():
        per_role = math.ceil(fuzzing.examples_per_operation() / len(fuzzing.ROLES))
        fuzzing.fuzz_all(schema, idents, per_role, tally, derandomize=False, progress=True)
        fuzzing.fuzz_stateful(schema, idents, 100, tally, derandomize=False)
    else:
        # Seeded: the same cases every run, so a failure here is a regression, never luck.
        fuzzing.fuzz_all(schema, idents, 2, tally, derandomize=True)
        fuzzing.fuzz_stateful(schema, idents, 2, tally, derandomize=True)
    with capsys.disabled():
        print(f"\n{tally.summary()}")
    assert len(tally.operations) >= 90
    assert not tally.server_errors and not tally.schema_violations, tally.problems()
