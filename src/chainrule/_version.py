"""The package version, importable from anywhere without cycles."""

__version__ = "0.1.0"
