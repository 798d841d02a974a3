"""chatconform's Locust scenarios: `locust -f <this file>` runs them all, or name one class.

    locust -f chatconform/load/locustfile.py --headless -u 10 -t 30s StreamingChatUser
    chatconform load ...   (the same, with the mock, the report and the SLO gate set up)

Without `--host`, the built-in mock is started for the run.
"""

from chatconform.load import hooks
from chatconform.load.users import (
    ConversationUser,
    MixUser,
    NonStreamingChatUser,
    StreamingChatUser,
    ToolCallUser,
    VisionUser,
)

hooks.install()

__all__ = ["ConversationUser", "MixUser", "NonStreamingChatUser", "StreamingChatUser", "ToolCallUser", "VisionUser"]
