"""Forget what MLflow keeps open for a sqlite store, so that a store deleted and made again in
the same process is opened anew.

MLflow keeps, for the life of the process, one store object per URI (in lru caches) and one
SQLAlchemy engine per database URI, whose pooled connection still holds the deleted file. A
cell that empties its store with `shutil.rmtree` and runs again in the same kernel then writes
to that deleted file: `sqlite3.OperationalError: attempt to write a readonly database`, until
the kernel restarts. These are MLflow's private caches (3.x); if a release renames them there
is nothing to forget, and tests/test_m08_checks.py fails on the second run.
"""

from __future__ import annotations


def forget_store(uri: str) -> None:
    """Drop MLflow's cached engines for `uri` and its cached store objects (all URIs: the
    caches cannot drop one entry; the others are rebuilt on their next use, cheaply)."""
    from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as RegistryStore
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore as TrackingStore
    from mlflow.tracking._model_registry import utils as registry_utils
    from mlflow.tracking._tracking_service import utils as tracking_utils

    for store_class in (TrackingStore, RegistryStore):
        engine = getattr(store_class, "_engine_map", {}).pop(uri, None)
        if engine is not None:
            engine.dispose()
    store_registries = (
        getattr(tracking_utils, "_tracking_store_registry", None),
        registry_utils._get_store_registry()
        if hasattr(registry_utils, "_get_store_registry")
        else None,
    )
    for store_registry in store_registries:
        cached = getattr(type(store_registry), "_get_store_with_resolved_uri", None)
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()
