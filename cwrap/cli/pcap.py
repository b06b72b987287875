"""`cwrap pcap FILE`: one line per flow of a capture."""

from __future__ import annotations

from pathlib import Path

import click

from ..socket.capture import CaptureError, read_capture


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def pcap(file: Path) -> None:
    """Print each flow of capture FILE: endpoints, packets, bytes each way
    and how it ended (fin, rst, refused, half-closed, open; unreachable
    for UDP)."""
    try:
        capture = read_capture(file)
    except (CaptureError, OSError) as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    for flow in capture.flows():
        click.echo(flow.summary())
