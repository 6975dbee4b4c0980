"""Persistence of a municipality twin behind the :class:`~twin.store.base.TwinStore` protocol."""
