"""Deterministic language checks: crisis screen, harsh self-judgement, blameless wording."""
