"""The official account's callback: verification, decryption, dedupe, routing."""
