"""The official account's conversation: what a text gets as an answer, the short-lived
chat state, the pickup and progress flows by chat, and hand-over to staff."""
