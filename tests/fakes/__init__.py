"""Fake chat-platform servers the real client libraries talk to over loopback HTTP."""
