"""Plugin entry point: editor formats through OpenTimelineIO. Imports no OTIO: that happens only
when ``clipora export`` runs."""

from __future__ import annotations

from clipora_core.api import Capability, CapabilityRegistrar, Kind, hookimpl

FORMATS = [
    ("otio", "OpenTimelineIO (.otio): DaVinci Resolve 18.5+, Kdenlive, OTIO tools", "OtioJson"),
    ("fcpxml", "Final Cut Pro XML 1.8 (.fcpxml): Final Cut Pro, DaVinci Resolve", "FcpxXml"),
    ("xmeml", "Final Cut Pro 7 XML (.xml): Premiere Pro, DaVinci Resolve", "FcpXml"),
    ("edl", "CMX 3600 EDL (.edl): any editor; video cuts only", "Cmx3600"),
]


@hookimpl
def register_exporters(register: CapabilityRegistrar) -> None:
    for name, description, cls in FORMATS:
        register(
            Capability(
                kind=Kind.EXPORTER,
                name=name,
                description=description,
                factory=f"clipora_export_otio.exporter:{cls}",
            )
        )
