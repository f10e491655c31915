"""The HTML workspace: login, queue, review screen."""
