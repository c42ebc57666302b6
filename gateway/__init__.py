"""The Envoy gateway: configuration rendered from the contracts, and the process that runs it."""
