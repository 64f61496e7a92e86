"""One router per domain; each route declares its permission with ``deps.allow``."""
