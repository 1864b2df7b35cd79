"""One home each for what several steps of the pipeline share: URLs, files, build time,
compression and MIME types."""
