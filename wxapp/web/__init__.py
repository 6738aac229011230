"""HTTP concerns shared by the JSON transports: error rendering, the request's transaction,
idempotency keys and bearer authentication."""
