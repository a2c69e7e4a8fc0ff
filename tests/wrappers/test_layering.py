"""Layer 1 (Gymnasium wrappers, priors, built-in envs) must import without torch or Stable-Baselines3."""

from __future__ import annotations

import subprocess
import sys


def test_wrappers_layer_imports_without_torch() -> None:
    code = (
        "import sys\n"
        "import hrl_wrappers\n"
        "from hrl_wrappers import SkillWrapper, SkillLayout, make_prior\n"
        "from hrl_wrappers.locomotion import locomotion_kwargs\n"
        "import hrl_wrappers.envs\n"
        "heavy = [m for m in ('torch', 'stable_baselines3') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_lazy_names_resolve() -> None:
    import hrl_wrappers

    for name in hrl_wrappers.__all__:
        assert getattr(hrl_wrappers, name) is not None
