"""Schemathesis against the app's own OpenAPI document, in-process through the WSGI app: every operation
as every role, generated valid and invalid input; a 5xx or a response outside its declared shape is
recorded with the request that caused it. `make test` runs a few seeded examples per operation
(tests/platform/test_fuzz.py); `make fuzz` runs the same with FUZZ_EXAMPLES (default 1 000) per operation
and the stateful phase, and prints the counts."""

import os
import sys
from dataclasses import dataclass, field

import hypothesis
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.helpers import institution, make_user, put_on_duty
from users.models import UserType
from users.tokens import token_pair

ROLES = ("anonymous", "visitor", "counselor", "supervisor", "institution_admin", "system_admin")
# The workspace reads userID and token from the JSON body or the multipart form (CONTRACT §3, §9).
WORKSPACE_PREFIXES = ("/api/consultant/", "/api/consuntant/", "/api/consult/")
SCHEMA_CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]


@dataclass
class Tally:
    operations: set = field(default_factory=set)
    examples: int = 0
    stateful_steps: int = 0
    links: int = 0
    server_errors: list = field(default_factory=list)
    schema_violations: list = field(default_factory=list)

    def summary(self):
        return (
            f"fuzz: {len(self.operations)} operations, {self.examples} examples, "
            f"{self.stateful_steps} stateful steps over {self.links} inferred links, "
            f"{len(self.server_errors)} server errors, "
            f"{len(self.schema_violations)} schema violations"
        )

    def problems(self, limit=10):
        return "\n\n".join((self.server_errors + self.schema_violations)[:limit])


def make_world():
    """One institution with a user of each role and a little data the operations can reach."""
    ecnu = institution("ecnu", "华东师范大学")
    users = {
        "visitor": make_user(UserType.VISITOR, inst=ecnu, username="fuzz_visitor", open_id="fuzz_visitor"),
        "counselor": make_user(UserType.COUNSELOR, inst=ecnu, username="fuzz_counselor", name="咨询师"),
        "supervisor": make_user(UserType.SUPERVISOR, inst=ecnu, username="fuzz_supervisor", name="督导"),
        "institution_admin": make_user(UserType.INSTITUTION, inst=ecnu, username="fuzz_inst_admin"),
        "system_admin": make_user(UserType.ADMIN, inst=ecnu, username="fuzz_root"),
    }
    users["counselor"].supervisors.add(users["supervisor"])
    put_on_duty(users["counselor"], users["supervisor"])
    return users


def identities(users):
    """role → (user id, access token); the anonymous caller has neither."""
    found = {"anonymous": (None, None)}
    for role, user in users.items():
        found[role] = (user.id, token_pair(user)["access"])
    return found


def load_schema():
    return schemathesis.openapi.from_wsgi("/api/schema", get_wsgi_application())


def authenticate(case, identity):
    user_id, token = identity
    if token is None:
        return
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
    if case.path.startswith(WORKSPACE_PREFIXES) and isinstance(case.body, dict):
        case.body = {**case.body, "userID": user_id, "token": token}


def describe(case, response, reason):
    return f"{case.method} {case.formatted_path} as {reason}\n{case.as_curl_command()}\n-> {response.status_code} {response.text[:600]}"


def check(case, response, tally, role):
    if response.status_code >= 500:
        tally.server_errors.append(describe(case, response, f"{role}: server error"))
        return
    try:
        case.validate_response(response, checks=SCHEMA_CHECKS)
    except FailureGroup as group:
        titles = "; ".join(f"{failure.title}: {failure.message[:400]}" for failure in group.exceptions)
        tally.schema_violations.append(describe(case, response, f"{role}: {titles}"))
    except Failure as failure:
        tally.schema_violations.append(
            describe(case, response, f"{role}: {failure.title}: {failure.message[:400]}")
        )


def strategy_for(operation):
    """Valid input (it must be accepted or refused by a rule) and invalid input (it must be refused with
    an envelope error), mixed."""
    return st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )


def fuzz_operation(operation, identity, role, examples, tally, *, derandomize):
    @hypothesis.settings(
        max_examples=examples,
        derandomize=derandomize,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(case=strategy_for(operation))
    def run(case):
        authenticate(case, identity)
        response = case.call()
        tally.examples += 1
        check(case, response, tally, role)

    tally.operations.add(operation.label)
    run()


def fuzz_all(schema, idents, examples_per_role, tally, *, derandomize, roles=ROLES, progress=False):
    for result in schema.get_all_operations():
        operation = result.ok()
        for role in roles:
            fuzz_operation(operation, idents[role], role, examples_per_role, tally, derandomize=derandomize)
        if progress:  # a long run shows where it is (`make fuzz` runs pytest with -s)
            # To the real stderr: the test holds `capsys`, which would keep the lines until the end.
            print(f"{operation.label}: {tally.summary()}", file=sys.__stderr__, flush=True)


def full_run():
    """`make fuzz` sets FUZZ_FULL=1 (and may set FUZZ_EXAMPLES, examples per operation)."""
    return os.environ.get("FUZZ_FULL") == "1"


def examples_per_operation():
    return int(os.environ.get("FUZZ_EXAMPLES", "1000"))


def fuzz_stateful(schema, idents, scenarios, tally, *, derandomize, roles=ROLES):
    """Sequences of calls chained by the links schemathesis infers (an id one answer gives, the next
    request uses), as each role."""
    base = schema.as_state_machine()
    tally.links = schema.statistic.transitions.total
    for role in roles:
        workflow = _workflow(base, role, idents[role], tally)
        workflow.run(
            settings=hypothesis.settings(
                max_examples=scenarios,
                derandomize=derandomize,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
                stateful_step_count=10,
                print_blob=False,
            )
        )


def _workflow(base, role, identity, tally):
    class Workflow(base):
        def before_call(self, case):
            authenticate(case, identity)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            tally.stateful_steps += 1
            check(case, response, tally, f"{role} (stateful)")

    return Workflow
