"""The emulator process: moto's server, with CloudFormation loaded before it serves.

Loading moto's CloudFormation up front (it imports the model of every service it can
create) means the first ``create_stack`` does not pay for it while the client waits.
"""

from __future__ import annotations

import argparse
import logging


def main() -> None:
    """Serve until terminated."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()

    import moto.cloudformation.models  # noqa: F401, PLC0415 - see the module docstring
    from moto.server import main as moto_main  # noqa: PLC0415

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    moto_main(["--host", args.host, "--port", str(args.port)])


if __name__ == "__main__":
    main()
