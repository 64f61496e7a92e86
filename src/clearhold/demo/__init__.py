"""The demo: the two reference operations, generated as records, reviewed end to end."""
