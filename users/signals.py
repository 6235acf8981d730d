"""Hooks through which `users` asks the apps above it to act, without importing them (the layer order
of docs/architecture.md). Each is sent inside the transaction of the users service that sends it, and a
receiver's error propagates (it is part of that service, not a fire-and-forget notification).

Receivers are connected in the upper apps' AppConfig.ready:
- `user_created` (user): messages imports the account into the IM service after commit.
- `user_disabled` (user, actor): the account may no longer be used (a ban, a deletion, a workspace
  deactivation, a withdrawn approval): conversations ends the user's open conversations; messages kicks
  the account from the IM service after commit.
- `capacity_changed` (user_id): a counsellor's maxConsults changed; conversations starts waiting
  sessions that now fit.
"""

from django.dispatch import Signal

user_created = Signal()
user_disabled = Signal()
capacity_changed = Signal()
