"""Mitogen's linear strategy, which site.yml's plays use (`strategy: mitogen_linear`).

Measured on the lab's six hosts, a deploy that changes nothing spent its time on Ansible's cost per
task, not on the work: each task on each host sent its module over SSH and started a Python there
(about 2.3 s a task across the hosts, 60 s for the run's 47 tasks). Mitogen keeps one Python per host
for the whole run and sends each module once, which took that run to about 20 s. The tasks and roles
are unchanged: the same play runs under Ansible's own `linear` strategy if this one is removed.
"""

from __future__ import annotations

from ansible_mitogen.plugins.strategy.mitogen_linear import StrategyModule

__all__ = ["StrategyModule"]
