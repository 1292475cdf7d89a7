"""Meta Graph API: Instagram (image posts, Reels) and Facebook Page publishing (protocols.md §6).

client.py (HTTP client, permanent vs temporary errors), publisher.py (the publishing port: Instagram and
Facebook Page), fake.py (loopback fake for tests). Publishing has no inbound events, so there is no
webhook.py/tasks.py: the publishing jobs (niaga.publishing.tasks) call the publishers directly."""
