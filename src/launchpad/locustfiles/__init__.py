"""Locustfiles shipped with the course: run them with `launchpad.locust_run.run` (or Locust's
own command line), never import them into a notebook's kernel: Locust patches the standard
library for gevent when it is imported."""
