"""A plugin whose hook name is misspelt: pluggy alone would load it and never call the hook."""

from clipora_core import Capability, Kind, hookimpl


@hookimpl
def register_asr_backend(register):  # the hook is register_asr_backends
    register(
        Capability(
            kind=Kind.ASR, name="misspelt", description="never seen", factory="misspelt_plugin:X"
        )
    )
