"""TikTok Content Posting API v2 (protocols.md §7): creator info, direct post init (file upload or pull
from URL), chunk upload, status fetch. client.py, publisher.py (the publishing port), fake.py. No inbound
events are used, so there is no webhook.py/tasks.py."""
