"""Similar cards: a lexical measure (no model) and, with the semantic extra, embeddings."""
