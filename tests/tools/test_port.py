"""``python -m instantiate port``: each pattern rewritten, what cannot be is listed, and a
lightning-hydra-template-shaped project runs after ``port src --write`` with no hand edits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from apps import env
from trees import write_tree

from instantiate import ConfigError
from instantiate._tools.port import port_source

# (Hydra/OmegaConf code, what port makes of it) for each pattern; the body after the imports
PATTERNS = [
    (
        "import hydra\n\n@hydra.main(version_base='1.3', config_path='conf', config_name='train')\n"
        "def run(cfg):\n    return cfg\n",
        "from instantiate import main\n\n@main(config_dir='conf', config_name='train')\ndef run(cfg):\n"
        "    return cfg\n",
    ),
    (
        "from hydra import main\n\n@main(None, 'train', '1.3')\ndef task(cfg): ...\n",
        "from instantiate import main\n\n@main(config_dir=None, config_name='train')\ndef task(cfg): ...\n",
    ),
    (
        "import hydra\n\n@hydra.main(config_path='c', config_name='t')\ndef main(cfg): ...\n",
        "from instantiate import main as instantiate_main\n\n"
        "@instantiate_main(config_dir='c', config_name='t')\ndef main(cfg): ...\n",
    ),
    (
        "import hydra\nm = hydra.utils.instantiate(cfg.model, x=1)\nf = hydra.utils.call(cfg.fn)\n",
        "from instantiate import call, instantiate\nm = instantiate(cfg.model, x=1)\nf = call(cfg.fn)\n",
    ),
    (
        "from hydra.utils import instantiate, get_class, get_method as gm\n"
        "a = instantiate(c)\nb = get_class('x.Y')\nd = gm('x.f')\n",
        "from instantiate import get_class, get_method, instantiate\n"
        "a = instantiate(c)\nb = get_class('x.Y')\nd = get_method('x.f')\n",
    ),
    (
        "from hydra.utils import get_original_cwd, to_absolute_path\n"
        "p = to_absolute_path('data')  # relative to where we started\nq = get_original_cwd()\n",
        "from instantiate import get_original_cwd, to_absolute_path\n"
        "p = to_absolute_path('data')  # relative to where we started\nq = get_original_cwd()\n",
    ),
    (
        "from hydra.core.hydra_config import HydraConfig\n"
        "out = HydraConfig.get().runtime.output_dir\nhc = HydraConfig.get()\n"
        "n, j = hc.job.name, hc.job.num\nc = HydraConfig.get().runtime.choices.model\n",
        "from instantiate import run_info\n"
        "out = run_info().dir\nhc = run_info()\nn, j = hc.name, hc.job_num\nc = run_info().choices.model\n",
    ),
    (
        "from omegaconf import OmegaConf\n"
        "a = OmegaConf.to_container(cfg, resolve=True)\nb = OmegaConf.to_container(cfg.model)\n"
        "y = OmegaConf.to_yaml(cfg)\nz = OmegaConf.to_yaml(cfg, resolve=True)\n",
        "a = cfg.to_dict(resolve=True)\nb = cfg.model.to_dict(resolve=False)\n"
        "y = cfg.to_yaml()\nz = cfg.to_yaml(resolve=True)\n",
    ),
    (
        "from omegaconf import OmegaConf\n"
        "v = OmegaConf.select(cfg, 'a.b')\nw = OmegaConf.select(cfg, 'a', default=3)\n"
        "m = OmegaConf.is_missing(cfg, 'x')\n",
        "v = cfg.select('a.b', default=None)\nw = cfg.select('a', default=3)\nm = cfg.is_missing('x')\n",
    ),
    (
        "from omegaconf import OmegaConf, MISSING\n"
        "c = OmegaConf.create({'a': MISSING})\nd = OmegaConf.create('a: 1')\ne = OmegaConf.load('x.yaml')\n"
        "OmegaConf.register_new_resolver('add', lambda a, b: a + b, replace=True)\n",
        "from instantiate import Config, load, register_resolver\n"
        "c = Config({'a': \"???\"})\nd = Config.from_yaml('a: 1')\ne = load('x.yaml')\n"
        "register_resolver('add', lambda a, b: a + b, replace=True)\n",
    ),
    (
        "from omegaconf import DictConfig, OmegaConf, open_dict\n\ndef f(cfg: DictConfig) -> None:\n"
        "    OmegaConf.set_struct(cfg, True)\n    with open_dict(cfg):\n        cfg.x = 1  # kept\n"
        "    with open_dict(cfg), open('f') as handle:\n        cfg.y = handle.read()\n",
        "from instantiate import Config\n\ndef f(cfg: Config) -> None:\n"
        "    cfg.x = 1  # kept\n    with open('f') as handle:\n        cfg.y = handle.read()\n",
    ),
    (
        "x = compute()  # no Hydra here\n",
        "x = compute()  # no Hydra here\n",
    ),
]


@pytest.mark.parametrize(("before", "after"), PATTERNS)
def test_each_pattern_is_rewritten_keeping_comments_and_layout(before: str, after: str) -> None:
    ported, notes = port_source(before)
    assert ported == after
    assert notes == []


# (code, the line and fragment of the note port leaves, the import it keeps)
NOT_PORTED = [
    ("from omegaconf import OmegaConf\nc = OmegaConf.merge(a, b)\n", 2, "OmegaConf.merge(...)", "omegaconf"),
    ("from omegaconf import OmegaConf\nOmegaConf.save(cfg, 'f')\n", 2, "write cfg.to_yaml()", "omegaconf"),
    (
        "from hydra.core.hydra_config import HydraConfig\nx = 1\nl = HydraConfig.get().launcher.name\n",
        3,
        "HydraConfig.get().launcher.name",
        None,
    ),
    (
        "from hydra.core.hydra_config import HydraConfig\nif HydraConfig.initialized():\n    pass\n",
        2,
        "HydraConfig() / HydraConfig.initialized()",
        "hydra",
    ),
    (
        "from hydra import compose, initialize\nwith initialize(config_path='c'):\n    cfg = compose('t')\n",
        2,
        "hydra.initialize(...) / hydra.compose(...)",
        "hydra",
    ),
    (
        "from omegaconf import OmegaConf\nimport hydra\nOmegaConf.to_container(cfg, enum_to_str=True)\n"
        "hydra.utils.instantiate(c)\n",
        3,
        "OmegaConf.to_container(...)",
        "omegaconf",
    ),
]


@pytest.mark.parametrize(("code", "line", "fragment", "kept"), NOT_PORTED)
def test_what_cannot_be_ported_is_listed_with_its_line_and_left_as_it_was(
    code: str, line: int, fragment: str, kept: str | None
) -> None:
    ported, notes = port_source(code)
    assert any(at == line and fragment in what + todo for at, what, todo in notes), notes
    if kept is not None:  # the import stays for what still uses it
        assert any(line.startswith(("import " + kept, "from " + kept)) for line in ported.splitlines())


def test_a_file_that_does_not_parse_is_an_error_naming_it() -> None:
    with pytest.raises(ConfigError, match=r"broken\.py: cannot parse"):
        port_source("def f(:\n", "broken.py")


def port(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "instantiate", "port", *args],
        cwd=cwd,
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_port_of_a_missing_path_says_so(tmp_path: Path) -> None:
    done = port("nowhere", cwd=tmp_path)
    assert done.returncode == 1 and "nowhere does not exist" in done.stderr


# -- a lightning-hydra-template-shaped project -------------------------------------------------
TEMPLATE = {
    "configs/train.yaml": """
        defaults:
          - _self_
          - data: mnist
          - model: mnist
          - callbacks: default
          - trainer: default
          - paths: default
          - extras: default
          - hydra: default
          - debug: null
          - hparams_search: null
        task_name: train
        tags: [dev]
        train: true
        seed: 12345
    """,
    "configs/data/mnist.yaml": """
        _target_: src.models.DataModule
        data_dir: ${paths.data_dir}
        batch_size: 128
    """,
    "configs/model/mnist.yaml": """
        _target_: src.models.Model
        optimizer:
          _target_: src.models.Adam
          _partial_: true
          lr: 0.001
        net:
          _target_: src.models.Net
          lin1_size: 64
    """,
    "configs/callbacks/default.yaml": """
        model_checkpoint:
          _target_: src.models.Checkpoint
          dirpath: ${paths.output_dir}/checkpoints
    """,
    "configs/callbacks/none.yaml": "",
    "configs/trainer/default.yaml": """
        _target_: src.models.Trainer
        max_epochs: 10
        default_root_dir: ${paths.output_dir}
    """,
    "configs/paths/default.yaml": """
        root_dir: ${hydra:runtime.cwd}
        data_dir: ${paths.root_dir}/data/
        log_dir: ${paths.root_dir}/logs/
        output_dir: ${hydra:runtime.output_dir}
        work_dir: ${hydra:runtime.cwd}
    """,
    "configs/extras/default.yaml": """
        ignore_warnings: false
        print_config: true
    """,
    "configs/hydra/default.yaml": """
        # https://hydra.cc/docs/configure_hydra/intro/
        defaults:
          - override hydra_logging: colorlog
          - override job_logging: colorlog

        run:
          dir: ${paths.log_dir}/${task_name}/runs/${now:%Y-%m-%d}_${now:%H-%M-%S}
        sweep:
          dir: ${paths.log_dir}/${task_name}/multiruns/${now:%Y-%m-%d}_${now:%H-%M-%S}
          subdir: ${hydra.job.num}

        job_logging:
          handlers:
            file:
              filename: ${hydra.runtime.output_dir}/${task_name}.log
    """,
    "configs/debug/default.yaml": """
        # @package _global_
        defaults:
          - override /callbacks: none

        task_name: debug
        extras:
          ignore_warnings: false
        hydra:
          job_logging:
            root:
              level: DEBUG
            handlers:
              file:
                filename: ${hydra.runtime.output_dir}/debug.log
        trainer:
          max_epochs: 1
    """,
    "configs/hparams_search/mnist_optuna.yaml": """
        # @package _global_
        defaults:
          - override /hydra/sweeper: optuna

        optimized_metric: val/acc_best

        hydra:
          mode: MULTIRUN
          sweeper:
            _target_: hydra_plugins.hydra_optuna_sweeper.optuna_sweeper.OptunaSweeper
            storage: null
            study_name: null
            n_jobs: 1
            direction: maximize
            n_trials: 4
            sampler:
              _target_: optuna.samplers.TPESampler
              seed: 1234
              n_startup_trials: 10
            params:
              model.optimizer.lr: interval(0.0001, 0.1)
              data.batch_size: choice(32, 64, 128, 256)
    """,
    "src/__init__.py": "",
    "src/models.py": '''
        """Stand-ins for the Lightning classes: a metric that depends on lr and batch size."""
        import functools


        class DataModule:
            def __init__(self, data_dir, batch_size):
                self.data_dir, self.batch_size = data_dir, batch_size


        class Adam:
            def __init__(self, params, lr):
                self.params, self.lr = params, lr


        class Net:
            def __init__(self, lin1_size):
                self.lin1_size = lin1_size


        class Model:
            def __init__(self, optimizer, net):
                assert isinstance(optimizer, functools.partial)
                self.optimizer = optimizer(params=[])
                self.net = net


        class Checkpoint:
            def __init__(self, dirpath):
                self.dirpath = dirpath


        class Trainer:
            def __init__(self, max_epochs, default_root_dir, callbacks=()):
                self.max_epochs, self.callbacks = max_epochs, list(callbacks)
                self.callback_metrics = {}

            def fit(self, model, datamodule):
                score = 1 - abs(model.optimizer.lr - 0.01) - datamodule.batch_size / 10000
                self.callback_metrics = {"val/acc_best": round(score, 6), "epochs": self.max_epochs}
    ''',
    "src/utils/__init__.py": """
        from src.utils.instantiators import instantiate_callbacks
        from src.utils.utils import extras, get_metric_value, task_wrapper
    """,
    "src/utils/instantiators.py": """
        from typing import List

        import hydra
        from omegaconf import DictConfig

        import logging

        log = logging.getLogger(__name__)


        def instantiate_callbacks(callbacks_cfg: DictConfig) -> List[object]:
            \"\"\"Instantiates callbacks from config.\"\"\"
            callbacks: List[object] = []
            if not callbacks_cfg:
                log.warning("No callback configs found! Skipping..")
                return callbacks
            if not isinstance(callbacks_cfg, DictConfig):
                raise TypeError("Callbacks config must be a DictConfig!")
            for _, cb_conf in callbacks_cfg.items():
                if isinstance(cb_conf, DictConfig) and "_target_" in cb_conf:
                    log.info(f"Instantiating callback <{cb_conf._target_}>")
                    callbacks.append(hydra.utils.instantiate(cb_conf))
            return callbacks
    """,
    "src/utils/utils.py": """
        import json
        import logging
        import warnings
        from pathlib import Path
        from typing import Any, Callable, Dict, Optional

        from hydra.core.hydra_config import HydraConfig
        from omegaconf import DictConfig, OmegaConf, open_dict

        log = logging.getLogger(__name__)


        def extras(cfg: DictConfig) -> None:
            \"\"\"Applies optional utilities before the task is started.\"\"\"
            if not cfg.get("extras"):
                log.warning("Extras config not found! <cfg.extras=null>")
                return
            if cfg.extras.get("ignore_warnings"):
                warnings.filterwarnings("ignore")
            if cfg.extras.get("print_config"):
                queue = ["data", "model", "callbacks", "trainer", "paths", "extras"]
                text = ""
                for field in queue:
                    group = cfg[field]
                    content = str(group)
                    if isinstance(group, DictConfig):
                        content = OmegaConf.to_yaml(group, resolve=True)
                    text += f"{field}:\\n{content}\\n"
                with open(Path(cfg.paths.output_dir, "config_tree.log"), "w") as file:
                    file.write(text)


        def task_wrapper(task_func: Callable) -> Callable:
            \"\"\"Logs where the task ran and what it saw.\"\"\"

            def wrap(cfg: DictConfig):
                try:
                    metric_dict, object_dict = task_func(cfg=cfg)
                finally:
                    output_dir = HydraConfig.get().runtime.output_dir
                    log.info(f"Output dir: {output_dir}")
                with open_dict(cfg):
                    cfg.ran_in = output_dir
                resolved = OmegaConf.to_container(cfg, resolve=True)
                Path(output_dir, "resolved.json").write_text(json.dumps(resolved))
                return metric_dict, object_dict

            return wrap


        def get_metric_value(metric_dict: Dict[str, Any], metric_name: Optional[str]) -> Optional[float]:
            \"\"\"Safely retrieves value of the metric logged in LightningModule.\"\"\"
            if not metric_name:
                log.info("Metric name is None! Skipping metric value retrieval...")
                return None
            if metric_name not in metric_dict:
                raise Exception(f"Metric value not found! <metric_name={metric_name}>")
            metric_value = metric_dict[metric_name]
            log.info(f"Retrieved metric value! <{metric_name}={metric_value}>")
            return metric_value
    """,
    "src/train.py": """
        from typing import Any, Dict, List, Optional, Tuple

        import hydra
        from omegaconf import DictConfig

        from src.utils import extras, get_metric_value, instantiate_callbacks, task_wrapper

        import logging

        log = logging.getLogger(__name__)


        @task_wrapper
        def train(cfg: DictConfig) -> Tuple[Dict[str, Any], Dict[str, Any]]:
            \"\"\"Trains the model.\"\"\"
            log.info(f"Instantiating datamodule <{cfg.data._target_}>")
            datamodule = hydra.utils.instantiate(cfg.data)

            log.info(f"Instantiating model <{cfg.model._target_}>")
            model = hydra.utils.instantiate(cfg.model)

            log.info("Instantiating callbacks...")
            callbacks: List[object] = instantiate_callbacks(cfg.get("callbacks"))

            log.info(f"Instantiating trainer <{cfg.trainer._target_}>")
            trainer = hydra.utils.instantiate(cfg.trainer, callbacks=callbacks)
            log.debug("all instantiated")

            if cfg.get("train"):
                trainer.fit(model=model, datamodule=datamodule)
            object_dict = {"cfg": cfg, "model": model, "trainer": trainer}
            return dict(trainer.callback_metrics), object_dict


        @hydra.main(version_base="1.3", config_path="../configs", config_name="train.yaml")
        def main(cfg: DictConfig) -> Optional[float]:
            \"\"\"Main entry point for training.\"\"\"
            extras(cfg)
            metric_dict, _ = train(cfg)
            metric_value = get_metric_value(metric_dict=metric_dict, metric_name=cfg.get("optimized_metric"))
            return metric_value


        if __name__ == "__main__":
            main()
    """,
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project, ported with ``port src --write``."""
    root = write_tree(tmp_path_factory.mktemp("template"), TEMPLATE)
    diff = port("src", cwd=root)
    assert diff.returncode == 0, diff.stderr
    assert "-import hydra\n" in diff.stdout and "+@instantiate_main(" in diff.stdout
    assert "hydra" in (root / "src/train.py").read_text()  # a diff alone writes nothing
    written = port("src", "--write", cwd=root)
    assert written.returncode == 0, written.stderr
    assert "rewrote 3 of 3 files" in written.stderr and "by hand" not in written.stderr
    for path in (root / "src").rglob("*.py"):
        text = path.read_text()
        assert "import hydra" not in text and "omegaconf" not in text and "HydraConfig" not in text, path
    assert port("src", cwd=root).stdout == ""  # ported once is ported
    return root


def train(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "src.train", *args],
        cwd=root,
        env=env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done


def test_the_ported_template_trains_once_with_its_logs_and_resolved_config(template: Path) -> None:
    train(template)
    (run,) = (template / "logs/train/runs").iterdir()
    log = (run / "train.log").read_text()
    assert "Instantiating callback <src.models.Checkpoint>" in log and "all instantiated" not in log
    assert f"Output dir: {run}" in log
    resolved = json.loads((run / "resolved.json").read_text())
    assert "hydra" not in resolved
    assert resolved["paths"]["work_dir"] == str(template)
    assert resolved["paths"]["output_dir"] == resolved["ran_in"] == str(run)
    assert resolved["callbacks"]["model_checkpoint"]["dirpath"] == f"{run}/checkpoints"
    assert "lr: 0.001" in (run / "config_tree.log").read_text()


def test_the_ported_template_debug_run_logs_to_debug_log_at_debug_level(template: Path) -> None:
    train(template, "debug=default")
    (run,) = (template / "logs/debug/runs").iterdir()
    log = (run / "debug.log").read_text()
    assert "all instantiated" in log and "No callback configs found" in log
    assert json.loads((run / "resolved.json").read_text())["trainer"]["max_epochs"] == 1


def test_the_ported_template_sweeps_over_two_values(template: Path) -> None:
    train(template, "-m", "model.optimizer.lr=0.01,0.02")
    (sweep,) = (template / "logs/train/multiruns").iterdir()
    jobs = [json.loads((sweep / n / "resolved.json").read_text()) for n in ("0", "1")]
    assert [job["model"]["optimizer"]["lr"] for job in jobs] == [0.01, 0.02]
    assert [job["ran_in"] for job in jobs] == [str(sweep / "0"), str(sweep / "1")]
    summary = yaml.safe_load((sweep / "summary.yaml").read_text())
    assert [job["status"] for job in summary["jobs"]] == ["ok", "ok"]


def test_the_ported_template_hparams_search_runs_the_optuna_study(template: Path) -> None:
    train(template, "hparams_search=mnist_optuna")
    sweep = _optuna_sweep(template)
    summary = yaml.safe_load((sweep / "summary.yaml").read_text())
    assert summary["sweeper"] == "optuna"
    assert summary["optuna"]["direction"] == "maximize" and summary["optuna"]["n_trials"] == 4
    assert [job["status"] for job in summary["jobs"]] == ["ok"] * 4
    values = [job["value"] for job in summary["jobs"]]
    assert summary["optuna"]["best"]["value"] == max(values)
    for job in summary["jobs"]:
        lr, batch = job["params"]["model.optimizer.lr"], job["params"]["data.batch_size"]
        assert 0.0001 <= lr <= 0.1 and batch in (32, 64, 128, 256)
        assert job["value"] == round(1 - abs(lr - 0.01) - batch / 10000, 6)


def _optuna_sweep(root: Path) -> Path:
    sweeps = list((root / "logs/train/multiruns").iterdir())
    optuna = [p for p in sweeps if "sweeper: optuna" in (p / "summary.yaml").read_text()]
    assert len(optuna) == 1, sweeps
    return optuna[0]
