"""Which dependency specifiers hold a project to Keras 2 (TensorFlow < 2.16 or Keras < 3): analysis/dependency_pins."""

import pytest
from gradls.analysis.dependency_pins import is_dependency_file, keras2_pin


@pytest.mark.parametrize(
    ("file", "text", "pinned"),
    [
        ("requirements.txt", "tensorflow==2.15.1\nnumpy", True),
        ("requirements.txt", "tensorflow>=2.13,<2.16", True),
        ("requirements.txt", "tensorflow<2.16.0", True),
        ("requirements.txt", "tensorflow==2.15.*", True),
        ("requirements.txt", "tensorflow~=2.15.0", True),  # >=2.15.0, ==2.15.*
        ("requirements.txt", "tensorflow~=2.0.0", True),
        ("requirements.txt", "tensorflow-gpu==1.15", True),
        ("requirements.txt", "tensorflow[and-cuda]==2.14.0", True),
        ("requirements.txt", "keras<3", True),
        ("requirements.txt", "tensorflow>=2.16", False),
        ("requirements.txt", "tensorflow==2.16.1", False),
        ("requirements.txt", "tensorflow<=2.16.1", False),
        ("requirements.txt", "tensorflow!=2.16.0", False),
        ("requirements.txt", "tensorflow==2.*", False),
        ("requirements.txt", "tensorflow~=2.15", False),  # >=2.15, ==2.*
        ("requirements.txt", "keras>=3.0", False),
        ("requirements.txt", "tensorflow<2.16; sys_platform=='darwin'", False),
        ("requirements.txt", "tensorflow-probability<0.24\ntf-keras\nkeras-nlp<0.5", False),
        ("requirements.txt", "# tensorflow==2.15\ntensorflow>=2.16", False),
        ("setup.py", "install_requires=['tensorflow>=2.13.0,<2.16.0', 'numpy']", True),
        ("setup.py", 'install_requires=[f"tensorflow=={tf_version}"]', False),
        ("setup.cfg", "install_requires =\n    tensorflow-gpu<=2.15.1", True),
        ("environment.yml", "dependencies:\n  - tensorflow=2.12\n  - pip", True),
        ("pyproject.toml", '[project]\nname="x"\ndependencies=["tensorflow>=2.12,<2.16", "numpy"]', True),
        ("pyproject.toml", '[project]\nname="x"\n[project.optional-dependencies]\ntf=["tensorflow==2.15.0"]', True),
        ("pyproject.toml", '[project]\nname="x"\ndependencies=["tensorflow>=2.16"]', False),
        ("pyproject.toml", '[tool.poetry.dependencies]\npython="^3.10"\ntensorflow="~2.15"', True),
        ("pyproject.toml", '[tool.poetry.dependencies]\ntensorflow="2.15.0"', True),
        ("pyproject.toml", '[tool.poetry.dependencies]\ntensorflow="^2.13"', False),
        (
            "pyproject.toml",
            '[tool.poetry.dependencies]\ntensorflow={version="2.15.0", markers="sys_platform==\'linux\'"}',
            False,
        ),
        ("pyproject.toml", "[project\nbroken", False),
    ],
)
def test_keras2_pin(file: str, text: str, pinned: bool):
    assert bool(keras2_pin(file, text)) is pinned, keras2_pin(file, text)


def test_the_pin_is_named_as_written():
    assert keras2_pin("requirements.txt", "numpy\ntensorflow >= 2.13, < 2.16\n") == "tensorflow>= 2.13, < 2.16"


@pytest.mark.parametrize(
    ("name", "read"),
    [
        ("requirements.txt", True),
        ("requirements-dev.txt", True),
        ("constraints.txt", True),
        ("pyproject.toml", True),
        ("setup.py", True),
        ("environment.yml", True),
        ("README.txt", False),
        ("model.py", False),
    ],
)
def test_is_dependency_file(name: str, read: bool):
    assert is_dependency_file(name) is read
