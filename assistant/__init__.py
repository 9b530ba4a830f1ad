"""tnl-assistant: email intake and FAQ assistant of the Territoire Numérique Libre label."""

__version__ = "0.1.0"
