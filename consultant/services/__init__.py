"""Workspace writes, one module per entity. Each public function is keyword-only and one transaction;
audit rows are written here, never in views."""
