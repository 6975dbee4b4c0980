"""The municipality twin: config, catalogue, store, import and the `twin` command."""
