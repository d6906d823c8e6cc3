from torch import nn


def maybe_sn(layer: nn.Module, enabled: bool) -> nn.Module:
    """Wrap a layer in spectral normalisation when enabled (keeps D 1-Lipschitz-ish)."""
    return nn.utils.parametrizations.spectral_norm(layer) if enabled else layer
