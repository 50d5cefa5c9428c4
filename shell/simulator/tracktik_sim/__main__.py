"""``python -m tracktik_sim``: serve the simulated TrackTik API until interrupted."""

import sys

from tracktik_sim.server import main

if __name__ == "__main__":
    sys.exit(main())
