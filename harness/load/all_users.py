"""What every locust process of a load run loads: the user mix and the open model. The
master names the classes to run (the mix, or SteadyArrivals for --arrival-rate) and each
worker, on whatever host, has them all."""

# Absolute imports: locust loads this file by its path, as a module of its own; the user
# classes and the event listeners live once, in the modules it imports.
from harness.load.arrivals import SteadyArrivals  # noqa: F401
from harness.load.locustfile import Browser, Creator, DoubleDipper, FlashSaleUser  # noqa: F401
