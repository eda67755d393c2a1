from . import training_policy
from . import res_partner
from . import training_guardian_link
from . import training_course
from . import training_class
from . import training_enrollment
from . import training_session
from . import training_attendance_line
