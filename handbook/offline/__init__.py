"""The site offline and installable: the service worker's list of a build's files, the web app manifest."""
