"""Putting releases in front of readers: the web server's configuration, one origin per audience."""
