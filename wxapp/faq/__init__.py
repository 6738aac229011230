"""The FAQ bot's engine: knowledge-base loading, Chinese text normalisation and segmentation,
a tf-idf/BM25-style index over words and character bigrams, and a calibrated matcher.

Pure Python with no Flask or database imports; ``wxapp.services.faq.bot`` wires it to the
service.
"""
