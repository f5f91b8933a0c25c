"""Seeing a running soulmark: metrics (Prometheus), JSON logs with request ids, and the real
cause of an error in a few fixed words (issue 17, item 3).  None of it holds a token, a name
or an address: see docs/operations.md, "Health, metrics and logs"."""
