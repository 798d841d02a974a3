"""Plain Locust entry point: `locust -f loadtests/locustfile.py --headless -u 10 -t 30s StreamingChatUser`.

The scenarios live in the chatconform package (chatconform/load/); this file
only exposes them where Locust users look for a locustfile (the user classes
named in chatconform.load.locustfile's __all__). Add
`-f loadtests/locustfile.py,loadtests/stages.py --stages 10:30s,50:1m:5` for ramps and steps.
"""

from chatconform.load.locustfile import *  # noqa: F403  (Locust finds the user classes among this module's names)
from chatconform.load.locustfile import __all__ as __all__
