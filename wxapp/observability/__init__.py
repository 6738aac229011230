"""What the people running the service see: structured logs, metrics, error reports.

Nothing here imports Flask, so services and jobs may count and log through it; the web side
(request ids, the /metrics endpoint) lives in ``wxapp.web``."""
