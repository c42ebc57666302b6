"""The small, domain-free core every service stands on."""
