"""Catalog: titles, seasons, episodes, categories, search, publishing and provider import."""
