"""Chat: retrieval-augmented answers streamed with citations, over a knowledge base curated by admins."""
