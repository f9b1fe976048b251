"""Plugins used by the tests: real plugin modules, registered explicitly per test."""
