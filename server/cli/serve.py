"""``essaim serve``: the web server (uvicorn with the settings the benchmarks measured)."""

from __future__ import annotations

import argparse
import logging

from server.cli.common import Commands, add_command, settings_from


def register(commands: Commands) -> None:
    serve = add_command(commands, "serve", "Run the web server (migrations are applied first).")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on")
    serve.set_defaults(run=cmd_serve)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server.app.asgi import create_app

    settings = settings_from(args)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    app = create_app(settings)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(
        f"Essaim sert sur http://{host}:{args.port}/  (données : {settings.data_dir})", flush=True
    )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=settings.log_level,
        proxy_headers=True,
        # Only the proxy's own X-Forwarded-For is believed: from any other peer, the address
        # the login throttle counts is the peer's (a client cannot choose its own).
        forwarded_allow_ips=settings.forwarded_allow_ips,
        ws_per_message_deflate=False,
        # Client messages are small JSON; anything over 1 MiB is closed by the protocol layer
        # (the app itself answers messages over 64 KiB with an error).
        ws_max_size=1_048_576,
    )
    return 0
