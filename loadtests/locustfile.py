"""Plain Locust entry point: `locust -f loadtests/locustfile.py --headless -u 10 -t 30s StreamingChatUser`.

The scenarios live in the chatconform package (chatconform/load/); this file
only exposes them where Locust users look for a locustfile. Add
`-f loadtests/locustfile.py,loadtests/stages.py --stages 10:30s,50:1m:5` for ramps and steps.
"""

from chatconform.load.locustfile import (
    ConversationUser,
    MixUser,
    NonStreamingChatUser,
    StreamingChatUser,
    ToolCallUser,
    VisionUser,
)

__all__ = ["ConversationUser", "MixUser", "NonStreamingChatUser", "StreamingChatUser", "ToolCallUser", "VisionUser"]
