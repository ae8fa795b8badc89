"""`.env.example` describes every environment variable the settings read, and nothing that is read nowhere.

The settings are read with `ast`, not imported: a read is `os.environ[...]`, `os.environ.get(...)`,
`os.getenv(...)`, or a call of a settings helper that passes its first parameter to one of those (`env`,
`env_bool`, `env_list`, and any helper added later). A name built by an f-string from a helper's parameter
(`env(f"{prefix}_HOST")` in `mysql_database(prefix="DB_REPLICA")`) stands for every value that parameter takes:
its default and each literal passed to it in the settings.
"""

import ast
import itertools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_DIR = ROOT / "meiduo_mall" / "settings"
ENV_EXAMPLE = ROOT / ".env.example"
# `NAME=value`, or `# NAME=value` for a documented optional variable left unset.
ENV_LINE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)
SOURCE_SUFFIXES = {".py", ".ini", ".sh", ".yml", ".yaml", ".conf", ".template", ".cfg"}
NOT_SOURCES = {".git", ".venv", "var", "node_modules", "tests", "__pycache__", ".ruff_cache"}


def is_os_environ(node):
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def direct_read_argument(node):
    """The expression naming the variable of an `os.environ` read, or None when `node` is no such read."""
    if isinstance(node, ast.Subscript) and is_os_environ(node.value):
        return node.slice
    if isinstance(node, ast.Call) and node.args and isinstance(node.func, ast.Attribute):
        func = node.func
        if func.attr == "get" and is_os_environ(func.value):
            return node.args[0]
        if func.attr == "getenv" and isinstance(func.value, ast.Name) and func.value.id == "os":
            return node.args[0]
    return None


class SettingsModules:
    def __init__(self, paths):
        self.trees = {path.name: ast.parse(path.read_text(), filename=str(path)) for path in sorted(paths)}
        self.functions = {
            node.name: node
            for tree in self.trees.values()
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef)
        }
        self.readers = self._find_readers()

    def _reads_in(self, function):
        for node in ast.walk(function):
            argument = direct_read_argument(node)
            if argument is None and isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in self.readers and node.args:
                    argument = node.args[0]
            if argument is not None:
                yield argument

    def _find_readers(self):
        """Helpers whose first parameter is the name of the variable they read, directly or through another."""
        self.readers = set()
        while True:
            found = {
                name
                for name, function in self.functions.items()
                if function.args.args
                and any(
                    isinstance(argument, ast.Name) and argument.id == function.args.args[0].arg
                    for argument in self._reads_in(function)
                )
            }
            if found == self.readers:
                return found
            self.readers = found

    def parameter_values(self, function, parameter):
        """The literal strings a parameter of a settings helper takes: its default and every call's argument."""
        positional = [argument.arg for argument in function.args.args]
        index = positional.index(parameter)
        values = set()
        defaults = function.args.defaults
        first_default = len(positional) - len(defaults)
        if index >= first_default:
            values.add(defaults[index - first_default])
        for tree in self.trees.values():
            for call in ast.walk(tree):
                if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
                    continue
                if call.func.id != function.name:
                    continue
                if index < len(call.args):
                    values.add(call.args[index])
                values.update(keyword.value for keyword in call.keywords if keyword.arg == parameter)
        strings = set()
        for value in values:
            assert isinstance(value, ast.Constant) and isinstance(value.value, str), (
                f"{function.name}({parameter}=...) is called with {ast.unparse(value)}, not a literal string"
            )
            strings.add(value.value)
        return strings

    def names_of(self, expression, function):
        if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
            return {expression.value}
        if isinstance(expression, ast.JoinedStr) and function is not None:
            choices = []
            for part in expression.values:
                if isinstance(part, ast.Constant):
                    choices.append({part.value})
                elif isinstance(part, ast.FormattedValue) and isinstance(part.value, ast.Name):
                    choices.append(self.parameter_values(function, part.value.id))
                else:
                    raise AssertionError(f"cannot tell which variable {ast.unparse(expression)} reads")
            return {"".join(combination) for combination in itertools.product(*choices)}
        raise AssertionError(f"cannot tell which variable {ast.unparse(expression)} reads")

    def variables_read(self):
        names = set()
        for tree in self.trees.values():
            names |= self._variables_read_under(tree, None)
        return names

    def _variables_read_under(self, node, function):
        names = set()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef):
                # A reader's own read is of its parameter; the names are found at its call sites.
                if child.name not in self.readers:
                    names |= self._variables_read_under(child, child)
                continue
            argument = direct_read_argument(child)
            if argument is None and isinstance(child, ast.Call) and isinstance(child.func, ast.Name):
                if child.func.id in self.readers and child.args:
                    argument = child.args[0]
            if argument is not None:
                names |= self.names_of(argument, function)
            names |= self._variables_read_under(child, function)
        return names


def settings_variables():
    return SettingsModules(SETTINGS_DIR.glob("*.py")).variables_read()


def env_example_variables():
    return set(ENV_LINE.findall(ENV_EXAMPLE.read_text()))


def source_files():
    for path in ROOT.rglob("*"):
        if NOT_SOURCES.intersection(path.relative_to(ROOT).parts) or not path.is_file():
            continue
        if path.suffix in SOURCE_SUFFIXES or path.name == "Dockerfile":
            yield path


def test_the_scanner_finds_plain_helper_prefixed_and_subscript_reads():
    names = settings_variables()
    assert {"DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS", "REDIS_URL", "MEIDUO_VAR_DIR"} <= names
    # mysql_database() reads f"{prefix}_HOST": DB by default, DB_REPLICA from prod.py.
    assert {"DB_HOST", "DB_NAME", "DB_REPLICA_HOST", "DB_REPLICA_PASSWORD", "DB_REPLICA_NAME"} <= names
    # prod.py: SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
    assert "DJANGO_SECRET_KEY" in names


def test_the_scanner_resolves_new_helpers_and_refuses_to_guess(tmp_path):
    (tmp_path / "base.py").write_text(
        "import os\n"
        "def env(name, default=None):\n    return os.environ.get(name, default)\n"
        "def env_int(name, default=0):\n    return int(env(name, default))\n"
        "def service(prefix='SEARCH'):\n    return env_int(f'{prefix}_TIMEOUT')\n"
        "TIMEOUTS = [service(), service(prefix='QUEUE')]\n"
        "PORT = os.getenv('APP_PORT')\n"
    )
    assert SettingsModules([tmp_path / "base.py"]).variables_read() == {"SEARCH_TIMEOUT", "QUEUE_TIMEOUT", "APP_PORT"}

    (tmp_path / "base.py").write_text("import os\nNAMES = ['A']\nVALUES = [os.environ.get(n) for n in NAMES]\n")
    with pytest.raises(AssertionError, match="cannot tell which variable n reads"):
        SettingsModules([tmp_path / "base.py"]).variables_read()


def test_env_example_lists_every_variable_the_settings_read():
    missing = sorted(settings_variables() - env_example_variables())
    assert not missing, f"read by meiduo_mall/settings/ but not described in .env.example: {', '.join(missing)}"


def test_every_variable_in_env_example_is_read_somewhere():
    described = env_example_variables() - settings_variables()
    texts = [path.read_text(errors="replace") for path in source_files()]
    unused = sorted(name for name in described if not any(re.search(rf"\b{name}\b", text) for text in texts))
    assert not unused, f"described in .env.example but read by nothing in the repository: {', '.join(unused)}"
