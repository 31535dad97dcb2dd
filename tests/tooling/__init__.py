"""Tests of the course build (dlcourse.tooling)."""
