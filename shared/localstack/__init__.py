"""The whole system on one machine: Google's emulators, provisioned, in process groups we own."""

from shared.localstack.net import Endpoint
from shared.localstack.service import Service, ServiceProcess, ServiceStartError
from shared.localstack.stack import RunningStack, StackConfig, start_stack

__all__ = [
    "Endpoint",
    "RunningStack",
    "Service",
    "ServiceProcess",
    "ServiceStartError",
    "StackConfig",
    "start_stack",
]
