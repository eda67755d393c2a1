from . import controllers
from . import models
from . import wizards


def _create_campus_policies(env):
    """Every existing campus gets its policy with the SPEC defaults."""
    env["training.policy"]._get_for_companies(env["res.company"].search([]))
