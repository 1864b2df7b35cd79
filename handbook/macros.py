"""MkDocs macros: every handbook page reads the policy from policy_src through these."""

from __future__ import annotations

from typing import Any

from handbook.source import load_policy


def define_env(env: Any) -> None:
    policy = load_policy()
    env.variables["policy"] = policy
