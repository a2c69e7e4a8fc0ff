"""The skill zoo: shipped skill sets load by name with no training, fit their environments, drive macro-actions;
unknown names are refused with the registered ones; ``export_skill_set`` keeps only the acting policy; ``hrl skills``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import pathlib
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator

import gymnasium as gym
import numpy as np
import pytest
from stable_baselines3.common.save_util import load_from_zip_file

from agents import DIAYN
from agents.app import main
from hrl_wrappers import MacroActionWrapper, SkillLibrary, circle_skills, load_skills
from hrl_wrappers.envs import POINT_WORLD_ID
from hrl_wrappers.skill_zoo import (
    SKILL_SETS,
    SkillSet,
    export_skill_set,
    list_skill_sets,
    make_env,
    read_metadata,
    skill_set,
    skill_set_file,
    skill_sets,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "hrl_wrappers" / "skill_zoo" / "data"
NAMES = sorted(SKILL_SETS)
STATES = np.array([[0.0, 0.0], [1.5, -2.0], [-3.0, 4.0], [5.0, 5.0]], np.float32)


def _run_cli(*args: str, cwd: pathlib.Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    return subprocess.run(
        [sys.executable, "-m", "agents.app", "skills", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


# ---------------------------------------------------------------------------------------------------- the registry
def test_the_registry_describes_every_shipped_file() -> None:
    assert "point-diayn-8" in NAMES
    assert set(skill_sets()) == set(NAMES)
    listed = list_skill_sets()
    assert [s["name"] for s in listed] == list(SKILL_SETS)
    for entry, data in zip(SKILL_SETS.values(), listed, strict=True):
        assert data["command"] == f"python -m benchmarks.zoo.make_skill_set {entry.name}"
        assert data["size"] == (DATA / entry.file).stat().st_size
        assert {"env_id", "method", "n_skills", "steps", "seed", "features", "description"} <= set(data)
    point = skill_set("point-diayn-8")
    assert (point.env_id, point.n_skills, point.steps, point.seed, point.features) == (POINT_WORLD_ID, 8, 20_000, 0, (0, 1))
    assert sorted(p.name for p in DATA.iterdir()) == sorted(s.file for s in SKILL_SETS.values())


def test_the_shipped_files_are_small() -> None:
    sizes = {p.name: p.stat().st_size for p in DATA.iterdir()}
    assert sum(sizes.values()) < 20 * 1024 * 1024
    assert sizes["point-diayn-8.zip"] < 1024 * 1024


@pytest.mark.parametrize("name", NAMES)
def test_a_shipped_set_loads_by_name_and_fits_its_env(name: str) -> None:
    entry = skill_set(name)
    skills = load_skills(name)
    assert isinstance(skills, SkillLibrary) and skills.n_skills == entry.n_skills
    skills.check_env(make_env(name))
    env = make_env(name)
    assert skills.observation_space == env.observation_space and skills.action_space == env.action_space
    if entry.n_skills is not None:
        assert load_skills(name, env=make_env(name), skills=[0, 1]).indices == [0, 1]
    else:  # continuous skills: the shown ones have the skills' dimension
        assert skills.skill_space.shape == (entry.skill_dim,) and len(entry.shown_skills) >= 4
        assert all(len(z) == entry.skill_dim for z in entry.shown_skills)
    assert all(not p.requires_grad and p.device.type == "cpu" for p in skills.policy.parameters())
    with skill_set_file(name) as file:
        assert pathlib.Path(skills.source or "") == file
        data, params, _ = load_from_zip_file(file, device="cpu", print_system_info=False)
    # the policy only: no critic, target, optimizer, discriminator or learner state
    assert set(params) == {"policy"} and not any(k.startswith("critic") for k in params["policy"])
    assert "replay_buffer" not in data and "reward_model" not in params
    metadata = data["skill_set"]
    assert (metadata["name"], metadata["steps"], metadata["seed"]) == (name, entry.steps, entry.seed)
    assert metadata["command"] == entry.command


def test_the_point_skills_go_apart() -> None:
    """The 8 DIAYN skills drive the point to 8 different places from the same start (what DIAYN trained for)."""
    skills = load_skills("point-diayn-8")
    disp = skills.displacements(make_env("point-diayn-8"), n_steps=50, features=[0, 1], seed=10)
    gaps = np.linalg.norm(disp[:, None] - disp[None], axis=-1)[np.triu_indices(8, 1)]
    assert gaps.min() > 0.5, disp


def test_the_shipped_ant_skills_walk_into_all_four_quadrants() -> None:
    """The docs' grid of the ant set: the 8 shown unit skills, 200 steps each from reset seed 0, end in every quadrant
    of the x-y plane, each at least 5 m away (a still ant moves centimetres)."""
    entry = skill_set("ant-metra-xy")
    skills = load_skills("ant-metra-xy")
    walks = skills.displacements(entry.make_env(), n_steps=200, features=[0, 1], seed=0, skills=circle_skills(8))
    assert np.linalg.norm(walks, axis=1).min() > 5.0, walks
    assert {(bool(x > 0), bool(y > 0)) for x, y in walks} == {(True, True), (True, False), (False, True), (False, False)}


def test_a_shipped_set_drives_macro_actions() -> None:
    env = MacroActionWrapper(make_env("point-diayn-8"), load_skills("point-diayn-8"), hold_steps=5)
    assert env.action_space == gym.spaces.Discrete(8)
    obs, _ = env.reset(seed=3)
    for action in range(8):
        before = np.array(obs)
        obs, reward, terminated, truncated, _ = env.step(action)
        assert env.observation_space.contains(obs) and np.isfinite(reward)
        assert not np.allclose(obs, before)  # the skill moved the point
        if terminated or truncated:
            obs, _ = env.reset(seed=4)


def test_an_unknown_name_lists_the_registered_sets(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=r"'point-diayn-9' is neither a registered skill set nor a file.*point-diayn-8"):
        load_skills("point-diayn-9")
    with pytest.raises(ValueError, match=r"did you mean 'point-diayn-8'"):
        load_skills("point-diayn-9")
    with pytest.raises(ValueError, match=r"'nope' is not a registered skill set; the registered skill sets are"):
        skill_set("nope")
    with pytest.raises(ValueError, match="registered skill sets are point-diayn-8"):
        make_env("nope")
    # paths keep their own messages
    with pytest.raises(FileNotFoundError, match=r"path='.*nope.zip': no such file"):
        load_skills(tmp_path / "nope.zip")
    with pytest.raises(FileNotFoundError, match=r"path='nope.zip': no such file"):
        load_skills("nope.zip")


def test_a_file_named_like_a_set_loads_as_a_path(
    diayn_path: pathlib.Path, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(diayn_path, tmp_path / "my-skills.zip")
    assert load_skills("my-skills").n_skills == 4  # a name-like string that is a file (SB3 appends .zip)
    shutil.copy(diayn_path, tmp_path / "point-diayn-8.zip")
    assert load_skills("point-diayn-8").n_skills == 8  # the registered set
    assert load_skills(pathlib.Path("point-diayn-8.zip")).n_skills == 4  # the file, as a path


# ---------------------------------------------------------------------------------------------------- export
def test_export_keeps_the_acting_policy_only(diayn_path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    out = export_skill_set(diayn_path, tmp_path / "small", {"name": "mine", "steps": 150})
    assert out == tmp_path / "small.zip" and out.stat().st_size < diayn_path.stat().st_size / 3
    data, params, variables = load_from_zip_file(out, device="cpu", print_system_info=False)
    assert set(params) == {"policy"} and all(k.startswith("actor.") for k in params["policy"])
    assert data["dropped_policy_parameters"] == ["critic.", "critic_target."]
    assert not variables
    assert read_metadata(out) == {"name": "mine", "steps": 150}
    assert read_metadata(diayn_path) == {}
    full, small = load_skills(diayn_path), load_skills(out, env=gym.make(POINT_WORLD_ID))
    agent = DIAYN.load(diayn_path, device="cpu")
    for z in range(4):
        for s in STATES:
            expected, _ = agent.predict_skill(s, skill=z, deterministic=True)
            np.testing.assert_allclose(small.act(s, z), expected, atol=1e-6)
            np.testing.assert_allclose(small.act(s, z), full.act(s, z), atol=1e-6)


def test_an_exported_file_missing_an_acting_parameter_is_refused(diayn_path: pathlib.Path, tmp_path: pathlib.Path) -> None:
    from stable_baselines3.common.save_util import save_to_zip_file

    out = export_skill_set(diayn_path, tmp_path / "small.zip")
    data, params, _ = load_from_zip_file(out, device="cpu", print_system_info=False)
    del params["policy"]["actor.mu.bias"]
    save_to_zip_file(tmp_path / "broken.zip", data=data, params=params)
    with pytest.raises(ValueError, match=r"do not match its policy \(missing \['actor.mu.bias'\]"):
        load_skills(tmp_path / "broken.zip")


def test_export_refuses_what_is_not_a_checkpoint(tmp_path: pathlib.Path) -> None:
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ValueError, match="holds no SB3 policy"):
        export_skill_set(other, tmp_path / "out.zip")


# ---------------------------------------------------------------------------------------------------- packaging
def test_the_shipped_files_are_package_data() -> None:
    code = (
        "import importlib.resources as r; "
        "print(sorted(p.name for p in r.files('hrl_wrappers.skill_zoo').joinpath('data').iterdir()))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120)
    for entry in SKILL_SETS.values():
        assert repr(entry.file) in out.stdout
    setup = (ROOT / "setup.cfg").read_text()
    assert "hrl_wrappers.skill_zoo = data/*.zip" in setup


def test_the_shipped_files_are_not_ignored_by_git() -> None:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    files = [f"hrl_wrappers/skill_zoo/data/{s.file}" for s in SKILL_SETS.values()]
    ignored = subprocess.run(["git", "check-ignore", *files], cwd=ROOT, capture_output=True, text=True)
    assert ignored.stdout.strip() == ""
    assert subprocess.run(["git", "check-ignore", "-q", "elsewhere/model.zip"], cwd=ROOT).returncode == 0


# ---------------------------------------------------------------------------------------------------- hrl skills
def test_hrl_skills_list(tmp_path: pathlib.Path) -> None:
    result = _run_cli("list", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["name", "env", "method", "skills", "steps", "file", "size"]
    row = next(line for line in lines if line.startswith("point-diayn-8"))
    assert POINT_WORLD_ID in row and "DIAYN" in row and " 8 " in row and "20000" in row and "KiB" in row


def test_hrl_skills_show(tmp_path: pathlib.Path) -> None:
    result = _run_cli("show", "point-diayn-8", "--out", "shown", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "| skill | displacement | distance | speed (1/step) | steps |" in result.stdout
    assert sum(line.startswith("| ") and line[2].isdigit() for line in result.stdout.splitlines()) == 8
    assert "policy only" in result.stdout and "python -m benchmarks.zoo.make_skill_set point-diayn-8" in result.stdout
    for name in ("skills.md", "skills.json", "skills.png"):
        assert (tmp_path / "shown" / name).is_file()
    assert not (tmp_path / "shown" / "videos").exists()  # the point world: no video
    unknown = _run_cli("show", "nope", cwd=tmp_path)
    assert unknown.returncode == 2 and "registered skill sets are point-diayn-8" in unknown.stderr


@dataclasses.dataclass(frozen=True)
class _VideoSkillSet(SkillSet):
    """A skill set whose file lies elsewhere and that is recorded as videos, like a MuJoCo set."""

    local: str = ""

    @contextlib.contextmanager
    def path(self) -> Iterator[pathlib.Path]:
        yield pathlib.Path(self.local)

    @property
    def is_mujoco(self) -> bool:
        return True


def test_hrl_skills_show_records_a_video_per_skill_for_mujoco_sets(
    diayn_path: pathlib.Path, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    metadata = {"name": "four", "heldout_accuracy": 0.5, "discriminability": [1.0, 0.5, None, 0.25]}
    file = export_skill_set(diayn_path, tmp_path / "four.zip", metadata)
    entry = _VideoSkillSet(
        name="four",
        description="4 barely trained skills",
        file="four.zip",
        env_id=POINT_WORLD_ID,
        method="DIAYN (SAC)",
        n_skills=4,
        steps=150,
        seed=0,
        command="python -m benchmarks.zoo.make_skill_set four",
        features=(0, 1),
        features_name="position x, y",
        local=str(file),
    )
    monkeypatch.setitem(SKILL_SETS, "four", entry)
    assert load_skills("four").n_skills == 4
    assert main(["skills", "show", "four", "--out", str(tmp_path / "shown"), "--video-length", "5"]) == 0
    out = capsys.readouterr().out
    assert "held-out discriminator accuracy 0.500 when it was made" in out
    assert "| steps | discriminability (when made) |" in out
    rows = [line for line in out.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert [row.rsplit("|", 2)[-2].strip() for row in rows] == ["1.000", "0.500", "-", "0.250"]
    assert len(list((tmp_path / "shown" / "videos").glob("*.mp4"))) == 4
    assert main(["skills", "show", "four", "--out", str(tmp_path / "quiet"), "--no-video"]) == 0
    assert not (tmp_path / "quiet" / "videos").exists()


def test_hrl_skills_show_rolls_out_the_shown_skills_of_a_continuous_set(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from agents import METRA

    model = METRA("MlpPolicy", POINT_WORLD_ID, learning_starts=50, batch_size=32, policy_kwargs={"net_arch": [16]}, seed=0)
    model.learn(100)
    model.save(tmp_path / "metra.zip")
    file = export_skill_set(tmp_path / "metra.zip", tmp_path / "unit.zip", {"name": "unit"})
    shown = ((1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0))
    entry = dataclasses.replace(
        _VideoSkillSet(**{**dataclasses.asdict(skill_set("point-diayn-8")), "local": str(file)}),
        name="unit", file="unit.zip", method="METRA (SAC)", n_skills=None, skill_dim=2, shown_skills=shown,
    )  # fmt: skip
    monkeypatch.setitem(SKILL_SETS, "unit", entry)
    skills = load_skills("unit", env=make_env("unit"))
    assert skills.n_skills is None and skills.skill_space.shape == (2,)
    assert main(["skills", "list"]) == 0
    assert any(line.startswith("unit ") and " 2-D " in line for line in capsys.readouterr().out.splitlines())
    assert main(["skills", "show", "unit", "--out", str(tmp_path / "shown"), "--no-video"]) == 0
    out = capsys.readouterr().out
    assert "2-D skills" in out
    rows = [line for line in out.splitlines() if line.startswith("| (")]
    assert [row.split(" | ")[0] for row in rows] == ["| (1.00, 0.00)", "| (0.00, 1.00)", "| (-1.00, 0.00)", "| (0.00, -1.00)"]
    data = json.loads((tmp_path / "shown" / "skills.json").read_text())
    assert [r["skill"] for r in data["skills"]] == [list(z) for z in shown]
    # each row is the rollout of its own skill: the policy acts on that skill vector
    obs, _ = make_env("unit").reset(seed=0)
    assert not np.allclose(skills.act(obs, np.array(shown[0])), skills.act(obs, np.array(shown[2])))


def test_a_recipe_with_stages_trains_in_consecutive_runs() -> None:
    """The ant recipe's stages: up to each stage's start, then ``train_skills --resume --resample-every K`` (its
    buffer emptied) on; each run continues the last one's step count, as the shipped file's training did."""
    from benchmarks.zoo.make_skill_set import RECIPES

    entry = dataclasses.replace(skill_set("ant-metra-xy"), steps=1_500, stages=((700, None), (1_000, 5), (1_200, None)))
    model = RECIPES["ant-metra-xy"](entry, entry.steps)
    assert model.num_timesteps == 1_500
    assert model.replay_buffer.size() == 300  # refilled from empty at 1,200 steps
    assert model.learning_starts == 1_200 + 1_000
    assert model.get_env().get_attr("resample_every") == [None]  # the last stage draws the skill once per episode
    assert model.skill_config["resample_every"] is None

    redrawn = RECIPES["ant-metra-xy"](entry, 1_100)  # a shorter run stops inside the redrawing stage
    assert redrawn.num_timesteps == 1_100 and redrawn.replay_buffer.size() == 100
    assert redrawn.get_env().get_attr("resample_every") == [5]
