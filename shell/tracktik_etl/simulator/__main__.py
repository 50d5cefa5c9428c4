"""``python -m tracktik_etl.simulator``: serve the simulated TrackTik API until interrupted."""

import sys

from tracktik_etl.simulator.server import main

if __name__ == "__main__":
    sys.exit(main())
