import subprocess
import sys

from backprop_core.__main__ import main


def test_cli_without_flags_runs_the_reference_experiment():
    out = subprocess.run(
        [sys.executable, "-m", "backprop_core"], capture_output=True, text=True, check=True
    ).stdout
    lines = out.splitlines()
    assert "[2, 2, 2, 2]" in lines[0] and "learning rate 0.5" in lines[0]
    assert lines[1].startswith("initial cost 0.2")
    epoch_lines = [line for line in lines if line.startswith("epoch")]
    assert [int(line.split()[1]) for line in epoch_lines] == list(range(1000, 20_001, 1000))
    assert float(epoch_lines[-1].split()[-1]) < 1e-3
    assert len([line for line in lines if "->" in line]) == 1 + 4


def test_cli_flags_choose_dataset_architecture_and_settings(capsys):
    main(
        [
            "--dataset",
            "full_adder",
            "--hidden",
            "4",
            "--lr",
            "1",
            "--epochs",
            "2000",
            "--seed",
            "3",
            "--activation",
            "tanh",
            "--init",
            "xavier",
        ]
    )
    out = capsys.readouterr().out
    assert "[3, 4, 2], tanh, mse, init xavier, seed 3, dataset full_adder" in out
    assert out.count("epoch ") == 2 and len([x for x in out.splitlines() if "->" in x]) == 9


def test_cli_reports_bad_values_without_a_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "backprop_core", "--hidden", "2,0", "--epochs", "5"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "layer size 0" in result.stderr and "Traceback" not in result.stderr


def test_cli_help_lists_the_flags():
    out = subprocess.run(
        [sys.executable, "-m", "backprop_core", "--help"], capture_output=True, text=True
    ).stdout
    for flag in (
        "--hidden",
        "--lr",
        "--epochs",
        "--seed",
        "--activation",
        "--cost",
        "--init",
        "--dataset",
    ):
        assert flag in out


def test_cli_trains_a_playground_set_in_mini_batches_and_reports_test_accuracy(capsys):
    flags = "--playground circle --hidden 4 --activation tanh --cost cross_entropy --batch 10"
    main([*flags.split(), "--lr", "0.1", "--epochs", "300", "--train-share", "0.6"])
    out = capsys.readouterr().out
    assert "Circle, noise 0%, features x1,x2, 300 training rows" in out and "batch 10" in out
    accuracy = float(out.rsplit("test accuracy ", 1)[1].split()[0])
    assert accuracy > 0.9


def test_cli_carries_the_regularisation_into_the_network(capsys):
    main(["--epochs", "10", "--regularization", "l1", "--rate", "0.01"])
    assert "full batch, l1 λ=0.01" in capsys.readouterr().out


def test_cli_refuses_bad_playground_values_without_a_traceback():
    for flags in (["--features", "x1,x9"], ["--noise", "0.9"], ["--batch", "0"]):
        result = subprocess.run(
            [sys.executable, "-m", "backprop_core", "--playground", "xor", *flags],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 2 and "Traceback" not in result.stderr, flags
        assert "allowed" in result.stderr or "must be" in result.stderr
