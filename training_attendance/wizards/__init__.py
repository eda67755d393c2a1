from . import training_session_generate
from . import training_enrollment_transition
from . import training_enrollment_renewal
from . import training_refund_refuse
from . import training_reward_wizard
from . import training_duty_roster_generate
from . import training_incident_callback
from . import training_monthly_report_wizard
