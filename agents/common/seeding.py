"""Building an agent's own parts (reward models) from its ``seed``, whatever the global random state.

SB3 seeds Python, numpy and torch in ``_setup_model`` (``set_random_seed``) before it builds the policy; a part that an
agent builds around it (DIAYN's discriminator, DADS's skill dynamics) must not depend on what the global generators
held before. :func:`seeded_torch` builds such a part from a stream derived from the agent's seed, and puts torch's
generator back as it was, so the policy SB3 builds next is the one it would build without that part.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

__all__ = ["derived_seed", "seeded_torch"]


def derived_seed(seed: int, stream: str) -> int:
    """A seed for the part named ``stream``, derived from the agent's ``seed`` (independent of other streams).

    :param seed: the agent's seed.
    :param stream: the name of the part (``"reward_model"``).
    :return: a 63-bit seed.
    """
    entropy = [int(seed) % 2**64, *stream.encode()]
    return int(np.random.SeedSequence(entropy).generate_state(2, np.uint64)[0] >> np.uint64(1))


@contextmanager
def seeded_torch(seed: int | None, stream: str) -> Iterator[None]:
    """Run the block with torch's CPU generator seeded from ``seed`` and ``stream``; restore it after.

    Modules are initialised on the CPU before they move to their device, so the CPU generator is the one their
    initial weights come from. With ``seed=None`` the block draws from the global generator as it is.

    :param seed: the agent's seed (None: no seeding).
    :param stream: the name of the part built in the block.
    """
    if seed is None:
        yield
        return
    with torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(derived_seed(seed, stream))
        yield
