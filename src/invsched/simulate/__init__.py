"""What-if simulation: replay jobs over time through the library's admission decisions."""

from invsched.simulate.records import Job, Restart, Scenario

__all__ = ["Job", "Restart", "Scenario"]
