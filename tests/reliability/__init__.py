"""The reliability campaigns (a package, so that its conftest does not shadow tests/conftest.py
for tests that import it as `conftest`)."""
