"""Test helpers shared between test packages."""
