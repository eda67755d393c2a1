from . import home
from . import portal
from . import registration
from . import portal_monthly
