"""Plugins and Lambda handlers the end-to-end tests deploy into the local engine."""
