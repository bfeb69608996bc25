"""The README's Python example runs as written and learns (the docs stay true)."""
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def python_example():
    text = README.read_text()
    section = text[text.index("## Python") :]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_example_trains():
    result = subprocess.run(
        [sys.executable, "-c", python_example()], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    loss = float(re.search(r"loss ([0-9.]+)", result.stdout).group(1))
    assert loss < 0.45, result.stdout
