"""The module catalogue as data (TOML files); loaded and validated by plugin.domain.catalogue."""
