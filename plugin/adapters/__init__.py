"""Infrastructure behind the core's ports: stores and other outside services."""
