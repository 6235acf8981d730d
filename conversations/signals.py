"""Hooks conversations offers the apps above it (docs/architecture.md, "Hooks").

`alert_raised(alert, recipients, escalated)`: a crisis alert was recorded (or escalated) inside the
current transaction; `recipients` are the usernames to notify. The messages app enqueues the IM
`sendmsg` jobs in that same transaction (messages/tasks.py)."""

from django.dispatch import Signal

alert_raised = Signal()
