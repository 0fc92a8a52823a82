"""Tests of the sandbox Slack (``sandbox/``)."""
