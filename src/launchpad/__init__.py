"""MLOps Launchpad: the course toolkit.

Model resolution (`launchpad.model`), the course model recipe (`launchpad.model.build`),
exercise checks (`launchpad.checks`, `launchpad.questions`), progress tracking and the
environment probe used in module 00.
"""

__version__ = "0.1.0"
