"""Platform adapters: everything that knows a chat platform lives here."""
