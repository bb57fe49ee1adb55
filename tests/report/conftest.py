"""Report fixtures: the console fixture of the admin tests."""

from tests.admin.conftest import console  # noqa: F401
