"""async-migrate: rewrite blocking calls in asyncio coroutines into real async code."""

from async_migrate.engine.migrate import InternalError, Migration, SourceError, migrate_source
from codemods.core.only_at import OnlyAt

__version__ = "0.1.0"

__all__ = [
    "InternalError",
    "Migration",
    "OnlyAt",
    "SourceError",
    "__version__",
    "migrate_source",
]
