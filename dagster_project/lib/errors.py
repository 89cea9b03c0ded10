"""The error a bad config file raises (docs/configuration.md): it names the file, the key, the value and what was
expected. Its own module so that every part of the config's parsing (config.py, allocation_policy.py) raises it."""


class ConfigError(ValueError):
    pass
