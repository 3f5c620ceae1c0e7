"""Backpropagation for feed-forward networks in numpy, with the training loops also compiled by
numba (``kernel.py``)."""

from . import datasets
from .activations import ACTIVATIONS
from .costs import COSTS
from .ensemble import Ensemble, train_ensemble
from .gradient_check import GradientCheck, gradient_check
from .history import History
from .initialisation import INITIALISERS
from .network import ForwardPass, Gradients, Network
from .training import Trainer

__all__ = [
    "ACTIVATIONS",
    "COSTS",
    "Ensemble",
    "INITIALISERS",
    "ForwardPass",
    "GradientCheck",
    "Gradients",
    "History",
    "Network",
    "Trainer",
    "datasets",
    "gradient_check",
    "train_ensemble",
]
