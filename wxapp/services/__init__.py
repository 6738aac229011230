"""Domain rules, a subpackage per capability (accounts, registration, screening, supplies,
chat, faq) and a few modules they share (audit, notifications, regions, key rotation).
Services take plain arguments, ``flush()`` and never commit: the request (or job) boundary
commits once."""
