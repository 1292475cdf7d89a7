"""Compatibility aliases: the loopback fakes live beside their adapters in `niaga.integrations.<provider>.fake`."""
