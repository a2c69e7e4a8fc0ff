"""Take the screenshot of a docs page that the docs show (``docs/images/results_summary.png`` by default).

Builds the site with ``mkdocs build --strict``, serves it on 127.0.0.1 on a free port, photographs the page with
headless Chromium (``apt-get install chromium``), and stops the server it started::

    python docs/screenshot.py                       # the results summary
    python docs/screenshot.py --page methods/dads/ --out docs/images/dads.png
"""

from __future__ import annotations

import argparse
import functools
import http.server
import pathlib
import shutil
import subprocess
import tempfile
import threading

ROOT = pathlib.Path(__file__).resolve().parent.parent


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Serve without a line per request."""


def main() -> None:
    """Build, serve, photograph, stop."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--page", default="results/", help="page path under the site root (default: results/)")
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "docs" / "images" / "results_summary.png")
    parser.add_argument("--size", default="1500,1250", help="window width,height in pixels")
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        raise SystemExit("no Chromium found: apt-get install chromium")
    with tempfile.TemporaryDirectory() as site:
        subprocess.run(["mkdocs", "build", "--strict", "-q", "-d", site], cwd=ROOT, check=True)
        handler = functools.partial(_QuietHandler, directory=site)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/{args.page}"
            args.out.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 f"--window-size={args.size}", f"--screenshot={args.out.resolve()}", url],
                check=True,
                capture_output=True,
                timeout=120,
            )
        finally:
            server.shutdown()
            server.server_close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
