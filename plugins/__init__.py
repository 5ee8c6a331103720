"""The sector plugins that ship with the hub, each registered through an entry point."""
