"""Tools for course authors: generate exercises from solutions, execute and normalise notebooks."""
