"""Running a peer (plain Trainer, pipeline) as a plain script would: in a process of its own,
with the OpenMP wait policy the user's environment had.

Importing bertdesk sets ``OMP_WAIT_POLICY=PASSIVE`` (threads sleep between ops: a desktop app
shares its cores); OpenMP reads it once, when torch loads. A plain script keeps OpenMP's default
(spinning a while), 15-30 % faster on a quiet machine. Import this module before bertdesk: it
records the policy the user had, and :func:`peer_environment` hands it to the peer's process,
which loads torch before bertdesk.
"""

from __future__ import annotations

import os

USER_WAIT_POLICY = os.environ.get("OMP_WAIT_POLICY")


def peer_environment() -> dict[str, str]:
    """This process's environment with the user's OpenMP wait policy instead of bertdesk's."""
    env = dict(os.environ)
    env.pop("OMP_WAIT_POLICY", None)
    if USER_WAIT_POLICY is not None:
        env["OMP_WAIT_POLICY"] = USER_WAIT_POLICY
    return env


def policy_name() -> str:
    return USER_WAIT_POLICY or "default"
