"""Who the code runs as, beyond its uid (containment.py allocates a fresh one per run from uid_pool.py).

Supplementary groups are dropped except the Neuron device group when the host has one (AWS's hardening
restricts /dev/neuron* to it). The name is only for the report and the code's USER variable: the run's uid has
no passwd entry.
"""

from __future__ import annotations

import grp
import os
import pwd
from typing import Tuple

# AWS's Neuron security guidance restricts /dev/neuron* to this group (0660) instead of the driver's default 0666.
DEVICE_GROUPS = ("neuron",)


def current_user_name() -> str:
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return str(os.getuid())


def device_gids() -> Tuple[int, ...]:
    gids = []
    for name in DEVICE_GROUPS:
        try:
            gids.append(grp.getgrnam(name).gr_gid)
        except KeyError:
            continue
    return tuple(gids)
