"""A module that binds names through a star import: no parser can list them all."""

from json import *  # noqa: F403
