"""Train one skill-discovery run (METRA, LSD, DIAYN or DADS) on the point world, HalfCheetah or the gear-30 ant, and
measure its skills as METRA's papers do: state coverage and distance travelled by deterministic rollouts.

Every method gets the same policy and reward-model networks, the same environment steps and the same number of SAC
gradient steps per environment step (``--train-freq``; the reward model takes one gradient step per SAC batch), so a
comparison at one budget changes only the method. ``--prior full`` gives the reward model the whole state (the
observation, x(-y) included); ``--prior xy`` gives DIAYN/DADS only the position (the papers' "x-y prior").

Environments (all 200-step episodes, no early termination):
  point       : hrl_wrappers/PointWorld-v0 (the state is the x-y position), 100-step episodes;
  halfcheetah : HalfCheetah-v5 with x in the observation (18 values);
  ant         : Ant-v5 with x-y in the observation, no contact forces (29 values), actions x 0.2 (gear 30).

Writes OUT/config.json, OUT/eval.json (coverage, distances, per-skill table), OUT/skills.png and OUT/model.zip (not
committed); ``--evaluate RUN/checkpoints/model_<steps>_steps.zip --out RUN`` (with the run's settings) measures a
checkpoint the same way into RUN/eval_<steps>.json and RUN/skills_<steps>.png. Example:
  python -m benchmarks.metra.train_skills --env point --method metra --seed 0 --steps 20000 \
      --out benchmarks/results/metra_point/metra_s0

``--resume RUN/model.zip --steps N`` trains a saved agent of the same settings on to N steps (networks, optimizers and
dual variables come from the checkpoint; the replay buffer refills from empty). ``--hide-position`` keeps the x(-y)
position from the policy and critics, as DADS's ``hide_coords``. ``--device cuda`` puts the networks on a GPU.
``--resample-every K`` redraws the skill every K steps within an episode (DADS's in-episode resampling), also for a
resumed run; ``--resample-every 0`` draws it once per episode again (a resumed run that was saved with redraws).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import time
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3.common.callbacks import CheckpointCallback

from agents import DADS, DIAYN, LSD, METRA
from agents.dads.policies import HideFeaturesExtractor
from hrl_wrappers import evaluate_skills, plot_skill_trajectories
from hrl_wrappers.envs import POINT_WORLD_ID
from hrl_wrappers.evaluation import locomotion_position_features
from hrl_wrappers.locomotion import locomotion_kwargs, position_features
from hrl_wrappers.scale_action import ScaleAction

ENVS = ("point", "halfcheetah", "ant")
#: the skill-discovery agent of each ``--method``.
ALGORITHMS: dict[str, Any] = {"metra": METRA, "lsd": LSD, "diayn": DIAYN, "dads": DADS}
METHODS = tuple(ALGORITHMS)


def make_env(name: str, episode_steps: int) -> gym.Env:
    """The raw environment ``name`` (see the module docstring)."""
    if name == "point":
        return gym.make(POINT_WORLD_ID)
    if name == "halfcheetah":
        return gym.make("HalfCheetah-v5", max_episode_steps=episode_steps, **locomotion_kwargs("HalfCheetah-v5"))
    if name == "ant":
        kwargs = locomotion_kwargs("Ant-v5", terminate_when_unhealthy=False, contact_forces=False)
        return ScaleAction(gym.make("Ant-v5", max_episode_steps=episode_steps, **kwargs), 0.2)
    raise ValueError(f"env must be one of {ENVS}, got {name!r}")


def position_of(name: str) -> tuple[Any, list[int]]:
    """What the evaluation measures (features for evaluate_skills) and the observation indices of the position."""
    if name == "point":
        return [0, 1], [0, 1]
    env_id = "HalfCheetah-v5" if name == "halfcheetah" else "Ant-v5"
    return locomotion_position_features(env_id), position_features(env_id)


def build(args: argparse.Namespace) -> Any:
    """The agent of ``args.method`` with the shared settings."""
    episode_steps = args.episode_steps

    def factory() -> gym.Env:
        return make_env(args.env, episode_steps)

    _, pos = position_of(args.env)
    features = pos if args.prior == "xy" else None
    policy_kwargs: dict[str, Any] = {"net_arch": args.net}
    if args.hide_position:  # as DADS's hide_features: the policy (and critics) act on the state without the position
        policy_kwargs |= {"features_extractor_class": HideFeaturesExtractor, "features_extractor_kwargs": {"hidden": pos}}
    common: dict[str, Any] = {
        "n_envs": args.n_envs,
        "seed": args.seed,
        "policy_kwargs": policy_kwargs,
        "learning_starts": args.learning_starts,
        "batch_size": args.batch_size,
        "train_freq": args.train_freq,
        "gradient_steps": 1,
        "buffer_size": args.steps,
        "device": args.device,
        "verbose": 0,
        "resample_every": args.resample_every or None,
    }
    skills: dict[str, Any] = {"n_skills": args.n_skills} if args.n_skills else {"skill_dim": args.skill_dim}
    if args.method in ("metra", "lsd"):
        cls = ALGORITHMS[args.method]
        if not args.n_skills:
            skills["distribution"] = "sphere" if args.method == "metra" else "gaussian"
        return cls("MlpPolicy", factory, features=features, phi_arch=args.net, **skills, **common)
    if args.method == "diayn":
        if not args.n_skills:
            skills["distribution"] = "gaussian"
        ratio = 1.0 / (args.train_freq * args.n_envs)
        return DIAYN(
            "MlpPolicy", factory, features=features, discriminator_arch=args.net, update_ratio=ratio, **skills, **common
        )
    return DADS(
        "MlpPolicy",
        factory,
        schedule="off-policy",
        features=features if features is not None else None,
        dynamics_arch=args.net,
        update_ratio=1.0 / (args.train_freq * args.n_envs),
        **skills,
        **common,
    )


def resume(args: argparse.Namespace) -> Any:
    """The agent saved at ``args.resume``, ready to train on to ``args.steps`` steps.

    The checkpoint holds the networks, their optimizers and the dual variables, not the replay buffer: the buffer
    starts empty (sized ``args.steps``) and the first ``args.learning_starts`` steps refill it before training goes on.
    """
    model = ALGORITHMS[args.method].load(
        args.resume, env=lambda: make_env(args.env, args.episode_steps), device=args.device, buffer_size=args.steps
    )
    if args.resample_every is not None:  # the saved skill settings, the skill redrawn every --resample-every steps
        every = args.resample_every or None  # 0: once per episode
        model.get_env().set_attr("resample_every", every)
        model.skill_config = {**model.skill_config, "resample_every": every}
    if model.num_timesteps >= args.steps:
        raise ValueError(f"--resume: the checkpoint has {model.num_timesteps} steps, --steps asks for {args.steps}")
    model.learning_starts = model.num_timesteps + args.learning_starts
    model.set_random_seed(args.seed + model.num_timesteps)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", choices=ENVS, required=True)
    parser.add_argument("--method", choices=METHODS, required=True)
    parser.add_argument("--prior", choices=["full", "xy"], default="full")
    parser.add_argument("--steps", type=int, default=20_000)
    parser.add_argument("--n-skills", type=int, default=0, help="discrete skills (0: continuous --skill-dim)")
    parser.add_argument("--skill-dim", type=int, default=2)
    parser.add_argument("--episode-steps", type=int, default=200)
    parser.add_argument("--net", type=int, nargs="+", default=[256, 256])
    parser.add_argument("--n-envs", type=int, default=1)
    parser.add_argument("--train-freq", type=int, default=1, help="one gradient step every this many env steps")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--learning-starts", type=int, default=1_000)
    parser.add_argument("--eval-rollouts", type=int, default=48)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save-every", type=int, default=0, help="save OUT/checkpoints/model_<steps>_steps.zip this often")
    parser.add_argument("--hide-position", action="store_true", help="the policy does not see the x(-y) position")
    parser.add_argument("--device", default="cpu", help="torch device of the networks (cpu, cuda, auto)")
    parser.add_argument(
        "--resample-every",
        type=int,
        help="redraw the skill every this many steps within an episode (default and 0: once per episode)",
    )
    parser.add_argument(
        "--resume",
        type=pathlib.Path,
        help="continue a checkpoint of this run's settings (its replay buffer is not kept: it refills first) to --steps",
    )
    parser.add_argument(
        "--evaluate",
        type=pathlib.Path,
        help="train nothing: evaluate this checkpoint of the run in OUT (OUT/eval_<steps>.json, OUT/skills_<steps>.png)",
    )
    parser.add_argument("--out", type=pathlib.Path, required=True)
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.evaluate is not None:
        model = ALGORITHMS[args.method].load(args.evaluate, device=args.device)
        evaluate(model, args, None, suffix=f"_{model.num_timesteps}")
        return
    args.out.mkdir(parents=True, exist_ok=True)
    config = {k: (str(v) if isinstance(v, pathlib.Path) else v) for k, v in vars(args).items()}
    config["out"] = args.out.name
    if args.resume is not None:
        config["resume"] = args.resume.name if args.resume.is_absolute() else args.resume.as_posix()
    (args.out / "config.json").write_text(json.dumps(config, indent=2))
    model = build(args) if args.resume is None else resume(args)
    start = time.perf_counter()
    callback = None
    if args.save_every:
        callback = CheckpointCallback(max(1, args.save_every // args.n_envs), str(args.out / "checkpoints"), "model")
    model.learn(args.steps - model.num_timesteps, callback=callback, reset_num_timesteps=args.resume is None)
    seconds = time.perf_counter() - start
    model.save(args.out / "model.zip")
    evaluate(model, args, round(seconds, 1))


def evaluate(model: Any, args: argparse.Namespace, train_seconds: float | None, suffix: str = "") -> None:
    """Deterministic rollouts of the trained skills from reset seeds 10000 on: OUT/eval{suffix}.json (coverage,
    distances, per-skill table) and OUT/skills{suffix}.png."""
    features, _ = position_of(args.env)
    env = make_env(args.env, args.episode_steps)
    n = args.eval_rollouts
    if args.n_skills:
        ev = evaluate_skills(model, env, n_rollouts=max(1, n // args.n_skills), features=features, seed=10_000)
    else:
        ev = evaluate_skills(model, env, n_rollouts=n, features=features, seed=10_000)
    displacement = [float(np.linalg.norm(t[-1] - t[0])) for t in ev.trajectories]
    result = {
        "env": args.env,
        "method": args.method,
        "prior": args.prior,
        "seed": args.seed,
        "steps": int(model.num_timesteps),
        "train_seconds": train_seconds,
        "coverage": int(ev.coverage),
        "n_rollouts": len(ev.trajectories),
        "mean_distance": float(np.mean(displacement)),
        "max_distance": float(np.max(displacement)),
        "per_skill": ev.to_dict(include_trajectories=False)["per_skill"],
    }
    (args.out / f"eval{suffix}.json").write_text(json.dumps(result, indent=2))
    title = f"{args.method.upper()} ({args.prior} state), {args.env}, seed {args.seed}, {model.num_timesteps} steps"
    plot_skill_trajectories(ev, args.out / f"skills{suffix}.png", title=title)
    print(json.dumps({k: v for k, v in result.items() if k != "per_skill"}), flush=True)


if __name__ == "__main__":
    main()
