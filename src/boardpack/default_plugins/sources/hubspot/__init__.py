"""The HubSpot source: the plugin (:mod:`.source`) and its API client and deal mapping (:mod:`.client`).

Nothing is imported here: registering the plugin must not import the HTTP client.
"""
