"""Import aliases -> canonical qualified names.

`tf.keras.layers.Dense`, `keras.layers.Dense`, `from tensorflow import keras; keras.layers.Dense`
and `from keras import layers; layers.Dense` all resolve to `keras.layers.Dense`;
`tf.math.reduce_sum` to `tensorflow.math.reduce_sum`; `np.sum` to `numpy.sum`.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable, Sequence

from gradls.config import Config

# `tf.keras`, `keras` and `keras._tf_keras.keras` are one Keras 3 in TF 2.21.  `tf_keras` (and the old
# `tensorflow.python.keras`) is Keras 2: same API names, different behaviour (it tracks raw tf.Variables,
# AutoGraph-converts `call`), so its names are canonicalised too but the import table remembers them.
_KERAS2_ROOTS = ("tf_keras", "tensorflow.python.keras")
_CANONICAL_PREFIXES = (
    ("tensorflow.keras", "keras"),
    ("tensorflow.python.keras", "keras"),
    ("keras._tf_keras.keras", "keras"),
    ("tf_keras", "keras"),
    ("keras.api", "keras"),
    # TF 2.21: `tf.compat.v1.keras` is Keras 3 too (`tf.compat.v1.keras.optimizers.Adam is keras.optimizers.Adam`).
    ("tensorflow.compat.v1.keras", "keras"),
    ("tensorflow.compat.v2", "tensorflow"),
    ("autograd.numpy", "numpy"),  # not TF, but still NumPy semantics
)


def _is_keras2(q: str) -> bool:
    return any(q == r or q.startswith(r + ".") for r in _KERAS2_ROOTS)


# Functions of the legacy `tf.keras.backend` (Keras 2's `keras.backend` too) whose whole body is the `tf` op of the
# same name (`def argmax(x, axis=-1): return tf.argmax(x, axis)`): `K.argmax` is `tf.argmax` to every rule (no
# gradient, raises on a KerasTensor). Read from keras/src/legacy/backend.py of Keras 3.15.
_BACKEND_TF_WRAPPERS = frozenset(
    "abs argmax argmin cast cos cumsum equal exp expand_dims greater greater_equal less less_equal maximum minimum "
    "not_equal one_hot ones_like pow reshape reverse round sign sin sqrt square squeeze stack stop_gradient tanh "
    "tile transpose zeros_like".split()
)


# `tf.compat.v1.<op>` is TensorFlow's own op for most names (`tf.compat.v1.argmax is tf.argmax`), and is read as
# `tensorflow.<op>`; these stay apart: TF 1 APIs with no TF 2 namesake, or whose TF 2 namesake differs (TF 1 layers,
# losses and metrics, collections, sessions, `where`'s broadcasting).
_COMPAT_V1_OWN = frozenset(
    "py_func placeholder placeholder_with_default Session InteractiveSession get_variable variable_scope "
    "trainable_variables global_variables local_variables model_variables all_variables get_collection "
    "get_collection_ref get_default_graph reset_default_graph layers losses metrics train summary estimator "
    "where where_v2 disable_eager_execution enable_eager_execution disable_v2_behavior enable_v2_behavior "
    "executing_eagerly global_variables_initializer initializers variables_initializer assign assign_add "
    "assign_sub random_normal random_uniform truncated_normal to_float to_int32 to_int64 log "
    "AUTO_REUSE app flags logging gfile saved_model python".split()
)


@functools.lru_cache(maxsize=8192)
def canonical(q: str) -> str:
    if q.startswith("tensorflow.compat.v1."):
        head = q[len("tensorflow.compat.v1.") :].split(".", 1)[0]
        if head != "keras" and head not in _COMPAT_V1_OWN:
            q = "tensorflow." + q[len("tensorflow.compat.v1.") :]
    for old, new in _CANONICAL_PREFIXES:
        if q == old or q.startswith(old + "."):
            q = new + q[len(old) :]
            break
    if q.startswith("keras.backend.") and q[len("keras.backend.") :] in _BACKEND_TF_WRAPPERS:
        return "tensorflow." + q[len("keras.backend.") :]
    return q


def dotted(e: ast.AST) -> str | None:
    """`a.b.c` for a Name/Attribute chain as written (no import resolution), else None."""
    parts: list[str] = []
    while isinstance(e, ast.Attribute):
        parts.append(e.attr)
        e = e.value
    if not isinstance(e, ast.Name):
        return None
    parts.append(e.id)
    return ".".join(reversed(parts))


def module_alias_assignments(tree: ast.AST) -> list[ast.Assign]:
    """The module-level statements `name = a.b.c` that make `name` another name of an attribute chain (`keras =
    tf.keras`), when nothing else in the module binds `name` (one binding: the name means that chain everywhere)."""
    body = tree.body if isinstance(tree, ast.Module) else []
    found: dict[str, ast.Assign] = {}
    for st in body:
        if (
            type(st) is ast.Assign
            and len(st.targets) == 1
            and type(st.targets[0]) is ast.Name
            and type(st.value) is ast.Attribute
            and dotted(st.value) is not None
        ):
            name = st.targets[0].id
            found[name] = st if name not in found else found[name]
    if not found:
        return []
    bound: dict[str, int] = {}  # bindings of each candidate anywhere in the module (`global` counts as two)
    for n in ast.walk(tree):
        if isinstance(n, ast.Name):
            names = [] if isinstance(n.ctx, ast.Load) else [n.id]
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = [n.name]
        elif isinstance(n, ast.alias):
            names = [(n.asname or n.name).split(".", 1)[0]]
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            names = n.names * 2
        elif isinstance(n, ast.arg):
            names = [n.arg]
        else:
            continue
        for name in names:
            if name in found:
                bound[name] = bound.get(name, 0) + 1
    return [st for name, st in found.items() if bound.get(name, 0) == 1]


_STAR_MODELS = frozenset({"Model", "Sequential", "load_model", "clone_model", "model_from_json", "save_model"})


# The modules whose star import `_star_member` reads names for (the last part of a Keras / TensorFlow module).
_STAR_MODULES = frozenset(
    {
        "layers",
        "models",
        "optimizers",
        "backend",
        "losses",
        "metrics",
        "activations",
        "initializers",
        "regularizers",
        "callbacks",
    }
)


def star_import_binds(base: str) -> bool:
    """Can `from <base> import *` (`base` canonical) bind a name `_star_member` accepts?  No for every other module
    (`from tensorflow.python.ops.gen_array_ops import *`): then no read name needs to be looked for."""
    return base.startswith(("keras", "tensorflow")) and base.rsplit(".", 1)[-1] in _STAR_MODULES


def _star_member(base: str, name: str) -> bool:
    """Does `from <base> import *` plausibly bind `name`? Keras and TensorFlow submodules whose public names have a
    recognisable shape only (NumPy's star import shadows builtins such as `round` and `max`: not guessed)."""
    if not star_import_binds(base):
        return False
    last = base.rsplit(".", 1)[-1]
    if last == "layers":
        return name[:1].isupper()
    if last == "models":
        return name in _STAR_MODELS
    if last == "optimizers":
        return name[:1].isupper()
    if last in {"backend", "losses", "metrics", "activations", "initializers", "regularizers", "callbacks"}:
        return not name.startswith("_")
    return False


class ImportTable:
    """The one import resolver: the analysis builds it for `ModuleInfo.imports`, the fix builders with `of(tree)`."""

    @classmethod
    def of(cls, tree: ast.AST, config: Config | None = None) -> ImportTable:
        """The table of every import in `tree` (nested ones included), in source order."""
        stmts: list[ast.stmt] = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
        stmts.sort(key=lambda n: (n.lineno, n.col_offset))
        return cls(stmts, config, module_alias_assignments(tree))

    def __init__(
        self,
        import_stmts: list[ast.stmt],
        config: Config | None = None,
        alias_assigns: Sequence[ast.Assign] = (),
        unbound_names: Sequence[str] = (),
    ):
        self.aliases: dict[str, str] = {}
        # Local names bound to Keras 2 (`tf_keras`) modules or objects.
        self.keras2_names: set[str] = set()
        # Every imported name as written: local -> (relative level, dotted target); the project index
        # resolves these to the project's own files (`from .models import Encoder`: (1, "models.Encoder")).
        self.raw: dict[str, tuple[int, str]] = {}
        self._memo: dict[int, str | None] = {}  # id(node) -> qualname; nodes live as long as this table
        stmts = list(import_stmts)
        stars: list[str] = []  # `from keras.layers import *`: the modules, in order
        if alias_assigns:
            stmts = sorted([*stmts, *alias_assigns], key=lambda n: (n.lineno, n.col_offset))
        for node in stmts:
            if isinstance(node, ast.Assign):
                # `keras = tf.keras`, `tfkl = tf.keras.layers`: the name is that module (or object) from here on.
                target = node.targets[0]
                q = self._qualname(node.value)
                if q is not None and isinstance(target, ast.Name):
                    keras2 = self.is_keras2(node.value)
                    self._bind(target.id, q)
                    if keras2:
                        self.keras2_names.add(target.id)
                continue
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        self._bind(a.asname, a.name)
                        self.raw[a.asname] = (0, a.name)
                    else:
                        top = a.name.split(".", 1)[0]
                        self.raw.setdefault(top, (0, top))
                        if top not in self.aliases:
                            self._bind(top, top if not _is_keras2(a.name) else a.name)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                for a in node.names:
                    if a.name == "*":
                        if node.level == 0 and base:
                            stars.append(canonical(base))
                        continue
                    local = a.asname or a.name
                    self.raw[local] = (node.level, f"{base}.{a.name}" if base else a.name)
                    if node.level == 0 and base:
                        self._bind(local, f"{base}.{a.name}")
                    else:
                        self.aliases.pop(local, None)
                        self.keras2_names.discard(local)
        # A name the module reads and never binds comes from a star import: the last module it plausibly
        # belongs to (a layer class of `keras.layers`, `Model` of `keras.models`, a function of the backend).
        for name in unbound_names:
            if name in self.aliases:
                continue
            star = next((b for b in reversed(stars) if _star_member(b, name)), None)
            if star is not None:
                self._bind(name, f"{star}.{name}")
        self.extra_tensor_functions = set(config.extra_tensor_functions) if config else set()
        self.extra_decorators = set(config.extra_differentiable_decorators) if config else set()

    def _bind(self, local: str, target: str) -> None:
        self.aliases[local] = canonical(target)
        if _is_keras2(target):
            self.keras2_names.add(local)
        else:
            self.keras2_names.discard(local)

    def is_keras2(self, e: ast.AST) -> bool:
        """Does this Name/Attribute chain start at a Keras 2 (`tf_keras`) import?"""
        while isinstance(e, ast.Attribute):
            e = e.value
        return isinstance(e, ast.Name) and e.id in self.keras2_names

    def qualname(self, e: ast.AST) -> str | None:
        """Canonical dotted name of a Name/Attribute chain rooted at an imported module, else None."""
        key = id(e)
        if key in self._memo:
            return self._memo[key]
        q = self._qualname(e)
        self._memo[key] = q
        return q

    def _qualname(self, e: ast.AST) -> str | None:
        name = dotted(e)
        if name is None:
            return None
        head, dot, rest = name.partition(".")
        root = self.aliases.get(head)
        if root is None:
            return None
        return canonical(root + dot + rest)

    def alias_of(self, module: str) -> str | None:
        """The local name bound to `module` itself (e.g. 'tf' for tensorflow), if any."""
        for name, q in self.aliases.items():
            if q == module:
                return name
        return None

    def uses(self, prefix: str) -> bool:
        return any(q == prefix or q.startswith(prefix + ".") for q in self.aliases.values())


def bound_names(nodes: Iterable[ast.AST]) -> set[str]:
    """Every name the given nodes bind: assignments and deletions, parameters, defs and classes, imports, `global` /
    `nonlocal` declarations, exception and match-pattern names (of a module: `bound_names(ast.walk(tree))`)."""
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for a in node.names:
                names.add(a.asname or a.name.split(".", 1)[0])
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
    return names


def keyword_value(call: ast.Call, name: str) -> ast.expr | None:
    """The value a call passes as the keyword argument `name`, if it passes one."""
    return next((k.value for k in call.keywords if k.arg == name), None)
