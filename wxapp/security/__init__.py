"""Building blocks for sensitive personal data: encryption at rest, blind indexes, masking and
validators for Chinese identity data."""
