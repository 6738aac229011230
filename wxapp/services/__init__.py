"""Domain rules, one module per capability. Services take plain arguments, ``flush()`` and
never commit: the request (or job) boundary commits once."""
