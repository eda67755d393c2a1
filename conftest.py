"""pytest-odoo imports Odoo's test framework before it turns Odoo's test mode on, and Odoo
logs an error (with a stack trace) when that framework is imported outside test mode.
Import it here in test mode, then switch test mode off again: pytest-odoo turns it on
around each test module, and left on it would make Odoo run every installed module's own
tests while loading the registry."""

try:
    from odoo.tools import config
except ImportError:  # scripts/test.sh says what is missing before pytest starts
    config = None

if config is not None:
    config["test_enable"] = True
    import odoo.tests  # noqa: F401

    config["test_enable"] = False
