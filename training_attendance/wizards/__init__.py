from . import training_session_generate
from . import training_enrollment_transition
