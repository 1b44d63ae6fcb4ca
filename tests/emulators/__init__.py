"""Local HTTP emulators of the provider APIs (Pennylane, QuickBooks Online, HubSpot).

Each serves, on 127.0.0.1, the demo company's data in the provider's own shapes and
reproduces the contract's traps (pagination, rate limits, token expiry, errors in 200s).
"""
