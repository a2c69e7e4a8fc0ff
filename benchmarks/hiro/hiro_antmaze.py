"""HIRO against flat SAC on Gymnasium-Robotics' AntMaze_UMaze-v5 (sparse reward), curves in one plot.

The same round-robin training, evaluation and report as ``benchmarks/hiro/hiro_pointmaze.py`` (run it with ``--help``
for every option), with AntMaze's defaults: 256x256 networks, learning starts at 10k steps, relative x-y goals
within +-2 (AntMaze's cells are 4 units wide), the low level blind to the absolute x-y (state indices 0 and 1, as in
the original), one high-level gradient step per goal (the original's schedule), HIRO + hindsight beside flat SAC,
an evaluation (20 deterministic episodes of up to 700 steps) every 25k steps. Results go to
``benchmarks/results/hiro_antmaze/antmaze_umaze``. The target (0.8 at 1M steps) is days of CPU here: run as long as
the machine allows, and split agents over processes with ``--agents`` / ``--no-section``, then ``--report-only``.
With ``--checkpoint-dir`` the agents are saved after every chunk and ``--resume`` goes on in a later process.
``--no-contact-forces --action-scale 0.2`` gives every agent the HIRO reference's ant (no contact forces in the
observation, a fifth of Gymnasium's torque); without them Gymnasium's ant spends most steps upside down
(``benchmarks/hiro/antmaze_flips.py``).

    python -m benchmarks.hiro.hiro_antmaze --steps 1000000
    python -m benchmarks.hiro.hiro_antmaze --agents hiro_her --no-section --checkpoint-dir runs/antmaze/ckpt [--resume]
    python -m benchmarks.hiro.hiro_antmaze --agents hiro_her --no-section --low-bootstrap-periods \
        --high-action-penalty 0.001 --no-contact-forces --action-scale 0.2 --checkpoint-dir runs/t30/ckpt
"""

from __future__ import annotations

from benchmarks.hiro.hiro_pointmaze import main

if __name__ == "__main__":
    main(
        results_root="benchmarks/results/hiro_antmaze",
        env="AntMaze_UMaze-v5",
        net="256,256",
        learning_starts=10_000,
        chunk=25_000,
        goal_range=2.0,
        low_level_hidden="0,1",
        high_gradient_steps=1,
        agents="hiro_her,sac",
        steps=1_000_000,
    )
