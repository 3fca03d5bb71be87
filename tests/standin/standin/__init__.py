"""The Kubernetes API stand-in server for migtop's tests (see ../README.md)."""
