"""Deployment descriptors (Cloud Run, Elastic Beanstalk, Kubernetes): validate them with the
platforms' schemas, read the container contract they promise, and rehearse it locally."""
