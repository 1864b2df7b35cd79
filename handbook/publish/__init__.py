"""Serving and shipping a built site: response headers, the local server, the archive."""
