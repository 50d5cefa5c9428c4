"""TrackTik → PostgreSQL billing warehouse: the thin Python shell.

The database owns all transformation and loading (PL/pgSQL in ``db/functions``);
this package fetches TrackTik API JSON, stages it and calls the database.
"""

__version__ = "0.1.0"
