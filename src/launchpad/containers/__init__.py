"""Containers for the course: find or start a Docker engine, make a base image offline, and
build the service image. Used by `make image`, the container tests and module 03's checks."""
