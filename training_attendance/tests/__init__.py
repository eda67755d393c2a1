from . import test_students
from . import test_enrollment
from . import test_session
from . import test_attendance_rules
from . import test_security
from . import test_session_generate
from . import test_performance
from . import test_ui
