"""Train DADS on Ant-v5 with the x-y prior, writing the skill-dynamics curve and checkpoints as it goes.

Ant-v5 with x, y exposed at observation indices 0, 1, no contact forces, no early termination and 200-step episodes
(the DADS/METRA setups, via :mod:`hrl_wrappers.locomotion`). Continuous 2-D skills U(-1, 1)^2; the skill dynamics sees
and predicts x-y only, the policy does not see x-y; the paper's on-policy schedule on SAC (N=2000 steps per
iteration, K1=32 skill-dynamics steps, K2=64 SAC steps, batch 256, gamma 0.995; ``--dynamics-steps`` and
``--agent-steps`` change K1 and K2, e.g. to take more gradient steps per sample on a small step budget).

The entropy: ``--ent-coef 0.1`` (the default here, a fixed alpha) is how earlier runs read the reference's
``agent_entropy=0.1``. The reference code passes it to TF-Agents' SAC as ``reward_scale_factor = 1 / 0.1`` and also
gives SAC an alpha optimizer, so alpha is learned from TF-Agents' initial 1.0 towards its default target entropy
-dim(A)/2. On rewards x1 that is ``--ent-coef auto_0.1 --target-entropy -4`` for Ant's 8 actions.

The run stops at ``--steps`` or after ``--minutes`` of wall time, whichever comes first. Every iteration appends a
row to ``<out>/curve.csv`` (the skill dynamics' log-likelihood on the iteration's fresh data, the buffer's mean
intrinsic reward, the distance travelled); every ``--save-every`` steps the model is saved to ``--checkpoint``.
``benchmarks/dads/eval_dads_ant.py`` then draws the curve and the skills and runs zero-shot navigation.

``--resume`` continues from ``--checkpoint`` (networks, optimizers, step count; the on-policy buffer is cleared each
iteration anyway) and appends to the curve, so a run can go on over several processes. The checkpoint defaults to
``runs/dads_ant/model.zip`` under the current directory (not committed).

    nohup nice -n 10 python -m benchmarks.dads.train_dads_ant --minutes 85 > dads_ant.log 2>&1 &
    nohup nice -n 10 python -m benchmarks.dads.train_dads_ant --minutes 85 --resume > dads_ant.log 2>&1 &
"""

from __future__ import annotations

import argparse
import csv
import json
import pathlib
import time
from typing import Any, cast

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3.common.callbacks import BaseCallback
from stable_baselines3.common.logger import configure

from agents import DADS
from benchmarks.report import ROOT
from hrl_wrappers.locomotion import locomotion_kwargs, position_features
from hrl_wrappers.scale_action import ScaleAction

ENV_ID = "Ant-v5"
OUT = ROOT / "benchmarks" / "results" / "dads_ant"
#: the default checkpoint, relative to the current directory
CHECKPOINT = pathlib.Path("runs") / "dads_ant" / "model.zip"


def ant_env_kwargs(episode_steps: int = 200) -> dict[str, Any]:
    """``gym.make`` keyword arguments of the DADS Ant setup."""
    return {
        **locomotion_kwargs(ENV_ID, terminate_when_unhealthy=False, contact_forces=False),
        "max_episode_steps": episode_steps,
    }


def make_ant(action_scale: float = 1.0, episode_steps: int = 200) -> gym.Env:
    """The DADS Ant env; an ``action_scale`` below 1 is a weaker ant (:class:`ScaleAction`).

    0.2 gives the torque limit of the ants in the HIRO reference and in DIAYN's Ant navigation (gear 30 against
    Gymnasium's 150). The agent still acts in [-1, 1].
    """
    env = gym.make(ENV_ID, **ant_env_kwargs(episode_steps))
    return env if action_scale == 1.0 else ScaleAction(env, action_scale)


def current_ent_coef(model: Any) -> float:
    """SAC's entropy coefficient now (learned or fixed); NaN for a back end without one."""
    log_coef = getattr(model, "log_ent_coef", None)
    if log_coef is not None:
        return float(log_coef.detach().exp().item())
    fixed = getattr(model, "ent_coef_tensor", None)
    return float(fixed.item()) if fixed is not None else float("nan")


class CurveCallback(BaseCallback):
    """Append one row per iteration to a CSV; save the model every ``save_every`` steps; stop at a deadline."""

    def __init__(
        self, path: pathlib.Path, checkpoint: pathlib.Path, save_every: int, deadline: float, append: bool = False
    ) -> None:
        super().__init__()
        self.path = path
        self.checkpoint = checkpoint
        self.save_every = save_every
        self.deadline = deadline
        self.started = time.time()
        self.last_save = -1  # set from the model's step count at the first rollout (a resumed run starts above 0)
        self.stop = False
        self.fields = [
            "steps",
            "wall_s",
            "log_likelihood",
            "log_likelihood_raw",
            "log_likelihood_fresh",
            "buffer_intrinsic_reward",
            "mean_xy_distance_from_origin",
            "ent_coef",
        ]
        if append and self.path.exists():  # a curve written before a column was added keeps its columns
            with self.path.open() as f:
                self.fields = next(csv.reader(f), self.fields)
        else:
            with self.path.open("w", newline="") as f:
                csv.writer(f).writerow(self.fields)

    def _on_step(self) -> bool:
        return not self.stop

    def _on_rollout_end(self) -> None:
        values = self.model.logger.name_to_value
        buffer = cast(Any, self.model).replay_buffer
        n = buffer.size()
        # distance travelled in x-y by the end of each 200-step episode, from the buffer's last observations
        obs = buffer.next_observations[:n, :, :2]
        disp = float(np.linalg.norm(obs, axis=-1).mean()) if n else float("nan")
        row_values = {
            "steps": self.model.num_timesteps,
            "wall_s": round(time.time() - self.started, 1),
            "log_likelihood": values.get("dads/log_likelihood", float("nan")),
            "log_likelihood_raw": values.get("dads/log_likelihood_raw", float("nan")),
            "log_likelihood_fresh": values.get("dads/log_likelihood_fresh", float("nan")),
            "buffer_intrinsic_reward": values.get("dads/buffer_intrinsic_reward", float("nan")),
            "mean_xy_distance_from_origin": disp,
            "ent_coef": current_ent_coef(self.model),
        }
        row = [row_values[k] for k in self.fields]
        with self.path.open("a", newline="") as f:
            csv.writer(f).writerow(row)
        if self.last_save < 0:
            self.last_save = self.model.num_timesteps
        if self.model.num_timesteps - self.last_save >= self.save_every:
            self.model.save(self.checkpoint)
            self.last_save = self.model.num_timesteps
        if time.time() > self.deadline:
            self.stop = True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=2_000_000)
    parser.add_argument("--minutes", type=float, default=85.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-envs", type=int, default=4)
    parser.add_argument("--net", type=int, nargs="+", default=[256, 256])
    parser.add_argument("--alternatives", type=int, default=100)
    parser.add_argument("--dynamics-steps", type=int, default=32, help="K1 per iteration (reference: 32)")
    parser.add_argument("--agent-steps", type=int, default=64, help="K2 per iteration (reference: 64)")
    parser.add_argument(
        "--ent-coef",
        default="0.1",
        help="SAC's entropy coefficient: a number (fixed) or 'auto_<initial>' (learned). The reference's "
        "agent_entropy=0.1 is a reward scale of 1/0.1 with a learned alpha starting at 1, i.e. 'auto_0.1' here",
    )
    parser.add_argument("--target-entropy", default="auto", help="with a learned alpha: its target ('auto': SB3's -dim(A))")
    parser.add_argument(
        "--dynamics-input",
        choices=["xy", "none"],
        default="xy",
        help="what the skill dynamics reads besides the skill: x-y ('xy', earlier runs) or nothing ('none': "
        "q(delta xy | z), the reference's restrict_observation, so episodes cannot be told apart by position)",
    )
    parser.add_argument(
        "--action-scale",
        type=float,
        default=1.0,
        help="the env receives this x each action (0.2: the gear-30 ant of HIRO and DIAYN's navigation; 1: Gymnasium's)",
    )
    parser.add_argument("--save-every", type=int, default=20_000)
    parser.add_argument("--checkpoint", type=pathlib.Path, default=CHECKPOINT)
    parser.add_argument("--out", type=pathlib.Path, default=OUT)
    parser.add_argument("--resume", action="store_true", help="continue from --checkpoint, appending to the curve")
    args = parser.parse_args()
    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    args.checkpoint.parent.mkdir(parents=True, exist_ok=True)
    xy = position_features(ENV_ID)
    ent_coef: float | str = args.ent_coef if args.ent_coef.startswith("auto") else float(args.ent_coef)
    target_entropy: float | str = args.target_entropy if args.target_entropy == "auto" else float(args.target_entropy)
    weaker = args.action_scale != 1.0  # a factory then, so that every env is wrapped in ScaleAction
    model = DADS(
        "MlpPolicy",
        make_ant if weaker else ENV_ID,
        skill_dim=2,
        features=xy,
        input_features=[] if args.dynamics_input == "none" else None,
        hide_features=True,
        n_steps=2000,
        dynamics_steps=args.dynamics_steps,
        agent_steps=args.agent_steps,
        n_alternatives=args.alternatives,
        dynamics_arch=args.net,
        dynamics_batch_size=256,
        batch_size=256,
        gamma=0.995,
        ent_coef=ent_coef,
        target_entropy=target_entropy,
        learning_rate=3e-4,
        policy_kwargs={"net_arch": args.net},
        n_envs=args.n_envs,
        env_kwargs={"action_scale": args.action_scale} if weaker else ant_env_kwargs(),
        seed=args.seed,
        device="cpu",
    )
    previous: dict[str, Any] = {}
    if args.resume:
        if not args.checkpoint.exists():
            raise SystemExit(f"--resume: no checkpoint at {args.checkpoint}")
        model = DADS.load(args.checkpoint, env=model.get_env(), device="cpu")  # the env built above, skill-wrapped
        config_path = args.out / "config.json"
        previous = json.loads(config_path.read_text()) if config_path.exists() else {}
    model.set_logger(configure(None, []))
    config = {
        "env": ENV_ID,
        "env_kwargs": ant_env_kwargs(),
        "action_scale": args.action_scale,
        "skill_dim": 2,
        "features": xy,
        "hide_features": True,
        "dynamics_input": args.dynamics_input,
        "schedule": "on-policy",
        "n_steps": 2000,
        "dynamics_steps": args.dynamics_steps,
        "agent_steps": args.agent_steps,
        "n_alternatives": args.alternatives,
        "net": args.net,
        "n_envs": args.n_envs,
        "gamma": 0.995,
        "ent_coef": ent_coef,
        "target_entropy": target_entropy,
        "seed": args.seed,
        "checkpoint": str(args.checkpoint),
        "command": "python -m benchmarks.dads.train_dads_ant "
        + " ".join(
            f"--{k.replace('_', '-')} {' '.join(map(str, v)) if isinstance(v, list) else v}"
            for k, v in vars(args).items()
            if k not in ("out", "checkpoint", "resume")
        ),
    }
    if args.resume:  # keep the first command and add one entry per resume
        config["resumes"] = [*previous.get("resumes", [previous] if previous else []), {"resumed_at": model.num_timesteps}]
    (args.out / "config.json").write_text(json.dumps(config, indent=2))
    deadline = time.time() + 60 * args.minutes
    curve = CurveCallback(args.out / "curve.csv", args.checkpoint, args.save_every, deadline, append=args.resume)
    started = time.time()
    start_steps = model.num_timesteps
    model.learn(args.steps - start_steps, callback=curve, reset_num_timesteps=not args.resume)
    model.save(args.checkpoint)
    wall = time.time() - started
    done = model.num_timesteps - start_steps
    config.update(total_steps=int(model.num_timesteps), wall_s=round(wall, 1), steps_per_s=round(done / wall, 1))
    (args.out / "config.json").write_text(json.dumps(config, indent=2))
    print(json.dumps(config, indent=2))


if __name__ == "__main__":
    main()
