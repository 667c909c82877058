"""Light, honest tensor inference.

Every expression gets a level: NOT (a Python value, a NumPy array, a shape, a flag),
TENSOR (a tf.Tensor that does not depend on trainable weights: data, shapes as tensors,
argmax results) or DIFF (depends on trainable weights or watched sources: gradients
flow through it).  Unknown means NOT: a false squiggle costs more trust than a miss.

Statements are walked in source order per function, so `x = np.asarray(x)` followed by
`x = tf.constant(x)` gets the right level at each use; branches join by maximum.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import cast

from gradls.analysis.module import (
    VARIABLE_CTORS,
    FunctionFacts,
    FunctionNode,
    ModuleInfo,
    is_keras_layer_ctor,
    param_annotation,
    param_defaults,
)

NOT, TENSOR, DIFF = 0, 1, 2
_ABSENT = object()  # a missing entry, told apart from any value
_IN, _OUT = 0, 1  # a function's inputs / results, in TensorInference's versions

NON_TENSOR_ATTRS = {
    "shape",
    "dtype",
    "ndim",
    "name",
    "device",
    "trainable",
    "graph",
    "op",
    "rank",
    "nbytes",
    "trainable_variables",
    "trainable_weights",
    "non_trainable_variables",
    "non_trainable_weights",
    "variables",
    "weights",
    "layers",
    "losses",
    "metrics",
    "built",
    "input_shape",
    "output_shape",
    "__class__",
    "__name__",
    "numpy",
}
LAYER_WEIGHT_ATTRS = {
    "kernel",
    "bias",
    "embeddings",
    "gamma",
    "beta",
    "recurrent_kernel",
    "depthwise_kernel",
    "pointwise_kernel",
    "moving_mean",
    "moving_variance",
}
# TF/Keras namespaces and functions that return no tensor (objects, config, I/O, Python values).
NON_TENSOR_TF_PREFIXES = (
    "tensorflow.data.",
    "tensorflow.io.",
    "tensorflow.summary.",
    "tensorflow.config.",
    "tensorflow.debugging.",
    "tensorflow.saved_model.",
    "tensorflow.distribute.",
    "tensorflow.train.",
    "tensorflow.keras.",
    "tensorflow.estimator.",
    "tensorflow.test.",
    "tensorflow.experimental.",
    "tensorflow.sysconfig.",
    "tensorflow.compat.",
    "tensorflow.errors.",
    "tensorflow.autograph.",
    "tensorflow.dtypes.",
    "tensorflow.lookup.",
    "tensorflow.tpu.",
    "tensorflow.profiler.",
    "tensorflow.random.set_seed",
    "tensorflow.random.Generator",
    "tensorflow.nest.",
    "tensorflow.feature_column.",
    "tensorflow.queue.",
    "tensorflow.sets.",
    "tensorflow.version.",
    # TensorFlow's own Python utilities, imported from their internal modules (`from tensorflow.python.util import
    # nest`): structure checks, static values, the eager context, static shapes.
    "tensorflow.python.util.",
    "tensorflow.python.eager.context.",
    "tensorflow.python.platform.",
    "tensorflow.python.framework.tensor_shape.",
    "tensorflow.python.keras.utils.",
    "tensorflow.python.ops.control_flow_util.",
)
NON_TENSOR_TF = {
    "GradientTape",
    "function",
    "TensorShape",
    "TensorSpec",
    "RaggedTensorSpec",
    "print",
    "py_function",
    "numpy_function",
    "custom_gradient",
    "name_scope",
    "device",
    "control_dependencies",
    "Module",
    "DType",
    "as_dtype",
    "executing_eagerly",
    "is_tensor",
    "get_static_value",
    "constant_value",  # tensor_util.constant_value: a NumPy value or None
    "smart_constant_value",  # smart_cond.smart_constant_value: a Python bool or None
    "init_scope",
    "get_logger",
    "Graph",
    "type_spec_from_value",
    "recompute_grad",
    "group",
    "no_op",
    "Assert",
    "ensure_shape",
    "keras",
}
# Ops whose result carries no gradient back to their inputs (None, or zero for sign).
NON_DIFF_OPS = {
    "argmax",
    "argmin",
    "argsort",
    "categorical",
    "multinomial",
    "count_nonzero",
    "searchsorted",
    "bucketize",
    "histogram_fixed_width",
    "in_top_k",
    "round",
    "floor",
    "ceil",
    "rint",
    "sign",
    "equal",
    "not_equal",
    "greater",
    "greater_equal",
    "less",
    "less_equal",
    "logical_and",
    "logical_or",
    "logical_not",
    "logical_xor",
    "is_nan",
    "is_inf",
    "is_finite",
    # tf.image kernels with no registered gradient (tape.gradient raises LookupError through them)
    "adjust_contrast",
    "adjust_hue",
    "adjust_saturation",
    "shape",
    "shape_n",
    "size",
    "rank",
    "stop_gradient",
    "zeros_like",
    "ones_like",
    "one_hot",
    "top_k",
    "unique",
    "where_v1",
    "floordiv",
    "floor_div",
    # (floormod / mod are differentiable: TF 2.21 gives 1 for `x`; measured)
    "bitcast",
    "bincount",
    "non_max_suppression",
    "non_max_suppression_padded",
    "non_max_suppression_with_scores",
    "confusion_matrix",
    "unique_with_counts",
    "reduce_any",
    "reduce_all",
    "math_ops",
    "sequence_mask",
    "edit_distance",
}
SOURCE_OPS = {
    "constant",
    "zeros",
    "ones",
    "fill",
    "range",
    "eye",
    "linspace",
    "normal",
    "uniform",
    "truncated_normal",
    "categorical",
    "shuffle",
    "poisson",
    "gamma",
    "stateless_normal",
    "stateless_uniform",
    "placeholder",
    "random_normal",
    "random_uniform",
    "convert_to_tensor",
    "ragged",
    "SparseTensor",
    "sparse",
    "identity",
}
_INT_DTYPE = re.compile(r"(^|\.)(u?int(8|16|32|64)|bool)$|^['\"](u?int(8|16|32|64)|bool)['\"]$")
_MODEL_NAME = re.compile(
    r"(^|_)(model|net|network|layer|encoder|decoder|generator|discriminator|critic|actor|policy|classifier|"
    r"backbone|head|block|unet|transformer|vae|gan|q_net|qnet|mlp|cnn|rnn|lstm)s?(\d*|_\w*)$",
    re.I,
)
_KERAS_LOSS_METHODS = {"compute_loss", "compiled_loss", "loss", "loss_fn"}
# Keras 3 (TF backend) shape queries: `ops.ndim` is a Python int, `ops.shape` a tuple of Python ints for the
# static dims and scalar tensors only for the dynamic ones (checked under TF 2.21), so an element is unknown.
_KERAS_OPS_STATIC_SHAPE = {"keras.ops.ndim", "keras.ops.shape"}
# keras.backend functions that return Python values (config, static shapes, the Keras 2 learning phase).
_KERAS_BACKEND_PYTHON = {
    "floatx",
    "image_data_format",
    "epsilon",
    "learning_phase",
    "int_shape",
    "ndim",
    "dtype",
    "is_keras_tensor",
    "is_tensor",
    "backend",
    "set_floatx",
    "set_epsilon",
    "set_image_data_format",
    "clear_session",
    "get_uid",
    "is_sparse",
    "count_params",
    "get_value",
    "batch_get_value",
    "set_learning_phase",
    "standardize_dtype",
    "result_type",
    "image_dim_ordering",
    "is_float_dtype",
    "is_int_dtype",
}
_DATASET_METHODS = {
    "batch",
    "map",
    "shuffle",
    "prefetch",
    "take",
    "skip",
    "repeat",
    "cache",
    "filter",
    "padded_batch",
    "unbatch",
    "rebatch",
    "shard",
    "with_options",
    "apply",
    "enumerate",
    "zip",
    "concatenate",
    "interleave",
    "flat_map",
    "ragged_batch",
    "bucket_by_sequence_length",
    "prefetch_to_device",
}
_PYTHON_TYPES = {
    "int",
    "float",
    "bool",
    "str",
    "list",
    "tuple",
    "dict",
    "set",
    "bytes",
    "complex",
    "numbers.Number",
    "numbers.Integral",
    "numbers.Real",
    "numpy.ndarray",
    "numpy.integer",
    "numpy.floating",
    # Containers: a tensor is none of these, and their truth value is Python's.
    "typing.Mapping",
    "typing.Sequence",
    "typing.Dict",
    "typing.List",
    "typing.Tuple",
    "collections.abc.Mapping",
    "collections.abc.Sequence",
    "collections.abc.MutableMapping",
    "collections.OrderedDict",
}
_PY_NUMERIC_BUILTINS = {"abs", "min", "max", "sum", "pow"}
_CONTAINER_NODES = (ast.Tuple, ast.List, ast.Dict, ast.Set, ast.ListComp, ast.SetComp, ast.DictComp)
_CONTAINER_BUILTINS = frozenset({"tuple", "list", "dict", "set", "sorted"})
# Builtins whose result iterates over the elements of their one argument.
_SAME_ELEMENTS_BUILTINS = frozenset({"list", "tuple", "set", "sorted", "reversed", "iter", "frozenset"})
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_NON_FLAG_PARAM = re.compile(r"^(training|is_training|train|mask|.*_mask|return_\w+|use_\w+)$")


def _tensor_annotation(ff: FunctionFacts, p: str) -> bool:
    """`x: tf.Tensor`, `x: Optional[keras.KerasTensor]`: a parameter annotated as a tensor."""
    ann = param_annotation(ff.node, p)
    if ann is None:
        return False
    for n in ast.walk(ann):
        if isinstance(n, (ast.Name, ast.Attribute)):
            word = n.id if isinstance(n, ast.Name) else n.attr
            if "Tensor" in word or word == "Variable":
                return True
        elif isinstance(n, ast.Constant) and isinstance(n.value, str) and "Tensor" in n.value:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Element:
    """What iterating a value yields: its level and object kind (a list of layers yields layers) and, where each
    element is a tuple of known length (`zip(a, b)`, `enumerate(xs)`, `[(x, y), ...]`), one Element per position,
    so `for i, (blk, norm) in enumerate(zip(self.blocks, self.norms))` binds each name apart."""

    level: int
    kind: str | None = None
    parts: tuple[Element, ...] | None = None

    def join(self, other: Element) -> Element:
        parts = None
        if self.parts is not None and other.parts is not None and len(self.parts) == len(other.parts):
            parts = tuple(a.join(b) for a, b in zip(self.parts, other.parts))
        return Element(max(self.level, other.level), self.kind if self.kind == other.kind else None, parts)


_UNKNOWN_ELEMENT = Element(NOT)


def _tuple_element(parts: tuple[Element, ...]) -> Element:
    return Element(max((p.level for p in parts), default=NOT), None, parts)


class Env:
    """Levels and object kinds of local names at one point of a function, the names bound to a Python
    container (a tuple, list, dict or set) on every path here: their truth value is Python's (`len`), whatever
    tensors they hold, and what iterating a name yields where that is not simply a value of the name's own level:
    a list of layers yields layers, a dict its keys, a parameter unknown elements (Keras hands `call` a tensor, a
    list or a dict of tensors alike)."""

    __slots__ = ("levels", "kinds", "containers", "elements")

    def __init__(self, levels=None, kinds=None, containers=None, elements=None):
        self.levels: dict[str, int] = dict(levels or {})
        self.kinds: dict[str, str] = dict(kinds or {})
        self.containers: set[str] = set(containers or ())
        self.elements: dict[str, Element] = dict(elements or {})

    def copy(self) -> Env:
        return Env(self.levels, self.kinds, self.containers, self.elements)

    def python_truth(self, name: str) -> bool:
        """The name's truth value is Python's here: a container, or a Python value."""
        return name in self.containers or self.levels.get(name, NOT) == NOT

    def join(self, *others: Env) -> None:
        if self.containers or any(o.containers for o in others):
            self.containers = {
                n
                for n in self.containers.union(*(o.containers for o in others))
                if all(e.python_truth(n) for e in (self, *others))
            }
        for o in others:
            for name, level in o.levels.items():
                if level > self.levels.get(name, -1):
                    self.levels[name] = level
            for name, kind in o.kinds.items():
                self.kinds.setdefault(name, kind)
            for name, el in o.elements.items():
                self.elements.setdefault(name, el)

    def join_grew(self, other: Env) -> bool:
        """`join(other)`; whether that raised a level or added a kind."""
        grew = False
        if self.containers or other.containers:
            kept = {n for n in self.containers | other.containers if self.python_truth(n) and other.python_truth(n)}
            grew = kept != self.containers
            self.containers = kept
        levels, kinds = self.levels, self.kinds
        for name, level in other.levels.items():
            if level > levels.get(name, -1):
                levels[name] = level
                grew = True
        for name, kind in other.kinds.items():
            if name not in kinds:
                kinds[name] = kind
                grew = True
        for name, el in other.elements.items():
            if name not in self.elements:
                self.elements[name] = el
                grew = True
        return grew

    def same(self, other: Env) -> bool:
        return (
            self.levels == other.levels
            and self.kinds == other.kinds
            and self.containers == other.containers
            and self.elements == other.elements
        )


class TensorInference:
    MAX_ROUNDS = 3
    # Reuse of a loop body's first pass and of a function's last analysis when nothing they read has changed (see
    # _loop_body, _analyze).  Off only in tests/test_tensor_inference_reuse.py, which checks that it changes nothing:
    # any new state an analysis reads from outside its environment must be counted by `_changed` / `_read`.
    REUSE = True

    def __init__(self, info: ModuleInfo):
        self.info = info
        self.memo: dict[int, int] = {}
        self.kind_memo: dict[int, str | None] = {}
        # Name loads that read a Python container (see Env.containers), as seen when their statement ran.
        self.container_names: set[int] = set()
        self.seeds: dict[int, dict[str, int]] = defaultdict(dict)
        self.kind_seeds: dict[int, dict[str, str | None]] = {}
        self.closures: dict[int, Env] = {}
        self.returns: dict[int, int] = {}
        # Per function: the object kind it returns ("tape", "layer"...) and, when every return is a tuple of
        # the same length, the (level, kind) of each element, so `loss, tape = helper()` keeps both apart.
        self.return_kinds: dict[int, str | None] = {}
        self.return_tuples: dict[int, list[tuple[int, str | None]] | None] = {}
        self.final_env: dict[int, Env] = {}
        self._in_progress: set[int] = set()
        self._seeds_changed = False
        # Counts every change of what the walk of one statement may read besides its environment (seeds, closures,
        # what functions return): a loop body whose first pass changed neither that nor the loop's environment
        # would only repeat itself on a second pass (see _loop_body).
        self._changes = 0
        # What each function's last analysis read, for the rounds of _analyze_regions: a function is analysed again
        # only when something it read has changed since (see _analyze).  Versions count the changes of a function's
        # inputs (_IN: closure, seeds, kind seeds) and of its results (_OUT: return level, kinds, tuple shape).
        self._versions: dict[tuple[int, int], int] = {}
        self._reads: list[dict[tuple[int, int], int]] = []  # per analysis in progress: what it read, at which version
        self._stable: list[bool] = []  # per analysis in progress: read nothing of a function being analysed
        self._deps: dict[int, dict[tuple[int, int], int]] = {}
        self._module_walked = False
        # The function whose body the walk is in (None: the module's top level): `info.enclosing_function` of every
        # expression the walk evaluates, but a decorator's (its own def, see _stmt), without a walk up its parents.
        self._fn_now: FunctionNode | None = None
        self.module_env = Env()
        self._walk_block(info.tree.body, self.module_env, None)
        self._module_walked = True
        self._analyze_regions()

    # ------------------------------------------------------------------ what an analysis reads
    def _changed(self, fid: int, part: int) -> None:
        """A function's inputs (_IN) or results (_OUT) changed."""
        self._changes += 1
        key = (fid, part)
        self._versions[key] = self._versions.get(key, 0) + 1

    def _read(self, fid: int) -> None:
        """The analysis in progress reads what function `fid` returns."""
        if self._reads:
            if fid in self._in_progress:
                self._stable[-1] = False  # a value still being computed: this analysis may read another later
            self._reads[-1].setdefault((fid, _OUT), self._versions.get((fid, _OUT), 0))

    # ------------------------------------------------------------------ driver
    def _relevant(self) -> list[FunctionFacts]:
        tape_fns = {id(fn) for _, fn in self.info.tape_withs if fn is not None}
        return [ff for ff in self.info.functions.values() if ff.modes or id(ff.node) in tape_fns]

    def _analyze_regions(self) -> None:
        todo = self._relevant()
        if not todo:
            return
        for _ in range(self.MAX_ROUNDS):
            self._seeds_changed = False
            for ff in todo:
                self._analyze(ff)
            if not self._seeds_changed:
                break
            # Callees discovered through seeds join the work list.
            todo = self._relevant() + [self.info.functions[i] for i in self.seeds if i in self.info.functions]
            todo = list({id(f.node): f for f in todo}.values())

    def _analyze(self, ff: FunctionFacts) -> int:
        key = id(ff.node)
        if key in self._in_progress:
            if self._stable:
                self._stable[-1] = False
            return self.returns.get(key, NOT)
        if not self._in_progress and self.REUSE:
            # Nothing is being analysed: every value is final.  When nothing this function's last analysis read has
            # changed since, analysing it again would repeat that analysis exactly (the same levels and kinds
            # memoised for its nodes, the same seeds passed on): its results stand.
            deps = self._deps.get(key)
            if deps is not None and all(self._versions.get(k, 0) == v for k, v in deps.items()):
                return self.returns[key]
        self._in_progress.add(key)
        fn_before, self._fn_now = self._fn_now, ff.node
        before = self.returns.get(key)
        reads = {(key, _IN): self._versions.get((key, _IN), 0)}
        self._reads.append(reads)
        self._stable.append(self._module_walked)  # the module's environment is final only once it is walked
        try:
            env = self._initial_env(ff)
            self.returns[key] = NOT
            self._walk_block(ff.node.body, env, ff)
            self.final_env[key] = env
            return self.returns[key]
        finally:
            self._fn_now = fn_before
            self._in_progress.discard(key)
            self._reads.pop()
            stable = self._stable.pop()
            if self.returns.get(key) != before:
                self._changed(key, _OUT)
            # Kept only when what it read did not change while it ran (a callee analysed after a first look at it).
            if stable and all(self._versions.get(k, 0) == v for k, v in reads.items()):
                self._deps[key] = reads
            else:
                self._deps.pop(key, None)

    def _initial_env(self, ff: FunctionFacts) -> Env:
        env = self.closures.get(id(ff.node), Env()).copy()
        a = ff.node.args
        positional = [*a.posonlyargs, *a.args]
        defaults = param_defaults(a)
        params = [p.arg for p in positional + a.kwonlyargs]
        if a.vararg:
            params.append(a.vararg.arg)
        is_method = ff.cls is not None and params[:1] in (["self"], ["cls"])
        if is_method:
            params = params[1:]
        parent = self.info.facts(ff.parent)
        grad_fn_of_custom = parent is not None and parent.custom_gradient
        for i, p in enumerate(params):
            env.containers.discard(p)  # a parameter shadows the closure's name
            env.elements[p] = _UNKNOWN_ELEMENT
            lv = self._default_param_level(ff, p, i, defaults.get(p), grad_fn_of_custom)
            lv = max(lv, self.seeds.get(id(ff.node), {}).get(p, NOT))
            env.levels[p] = lv
            seen_kinds = self.kind_seeds.get(id(ff.node), {})
            if p in seen_kinds:
                k = seen_kinds[p]
                if k is not None:
                    env.kinds[p] = k
                    if k == "layer":
                        env.levels[p] = NOT
            elif (ff.modes or self._has_tape(ff)) and _MODEL_NAME.search(p) and lv < DIFF:
                # No call site in this module: a parameter named like a model is taken for one.
                env.kinds[p] = "layer"
                env.levels[p] = NOT
        return env

    def _has_tape(self, ff: FunctionFacts) -> bool:
        return any(fn is ff.node for _, fn in self.info.tape_withs)

    def _default_param_level(self, ff, p, index, default, grad_fn_of_custom) -> int:
        # A parameter with a default (None, a flag, a string, a number) is a Python value or an optional input
        # until a caller shows otherwise: unknown, so it stays silent.  `mask`-like optionals of Keras `call`
        # are the exception: Keras hands them in as tensors.
        has_default = default is not None
        if p in {"variables", "kwargs", "args", "self"}:
            return NOT
        if grad_fn_of_custom:
            return TENSOR if index == 0 or p.startswith(("d", "upstream", "grad")) else NOT
        if ff.custom_gradient:
            return NOT if has_default else DIFF
        if ff.keras_method in {"call", "__call__"}:
            if ff.cls is not None and ff.cls.keras_kind == "loss":
                return TENSOR if index == 0 else DIFF
            if p in {"training", "is_training"}:
                return NOT
            if has_default:
                none_default = isinstance(default, ast.Constant) and default.value is None
                return TENSOR if none_default and "mask" in p else NOT
            if index == 0 or "mask" in p or _tensor_annotation(ff, p):
                return DIFF
            from gradls.analysis.call_sites import call_param_static, python_scalar_annotation

            if python_scalar_annotation(ff.node, p):
                return NOT  # `output_hidden_states: bool`: the callers' promise of a Python value
            # Keras passes only the first argument (and `mask`) itself; the others hold what the callers pass: a
            # tensor where one caller passes anything but a static Python value, unknown where no caller is known.
            return DIFF if call_param_static(self.info, ff, p) is False else NOT
        if ff.keras_method == "loss":
            return TENSOR if index == 0 else DIFF
        if ff.keras_method == "layer_fn":
            return NOT if has_default else DIFF
        if ff.keras_method == "compute_loss" and p == "y_pred" and ff.cls is not None and ff.cls.keras_kind == "model":
            return DIFF  # Keras 3's train_step passes `y_pred=self(x, training=True)`, computed under its tape
        if ff.keras_method in {"train_step", "test_step", "compute_loss"}:
            if p in {"training", "is_training"}:
                return NOT  # Keras 3's train_step passes `compute_loss(..., training=True)`: a Python bool
            return NOT if has_default else TENSOR
        if ff.tf_function:
            if has_default or _NON_FLAG_PARAM.match(p):
                return NOT
            from gradls.analysis.call_sites import python_value_by_callers

            if python_value_by_callers(self.info, ff.node, p):
                return NOT  # every call passes a Python value: it stays one in the trace
            return TENSOR
        return NOT

    # ------------------------------------------------------------------ statements
    def _walk_block(self, stmts, env: Env, ff: FunctionFacts | None) -> None:
        for s in stmts:
            self._stmt(s, env, ff)

    def _stmt(self, s: ast.stmt, env: Env, ff: FunctionFacts | None) -> None:
        lv = self.level
        if isinstance(s, ast.Assign):
            v = lv(s.value, env)
            k = self.kind(s.value, env)
            for t in s.targets:
                self._bind(t, v, k, env, s.value)
        elif isinstance(s, ast.AnnAssign):
            if s.value is not None:
                self._bind(s.target, lv(s.value, env), self.kind(s.value, env), env, s.value)
        elif isinstance(s, ast.AugAssign):
            v = lv(s.value, env)
            if isinstance(s.target, ast.Name):
                if not self._is_container(s.value, env):
                    env.containers.discard(s.target.id)  # `x += t` with a tensor `t`: a tensor
                env.levels[s.target.id] = max(env.levels.get(s.target.id, self._global_level(s.target.id)), v)
        elif isinstance(s, ast.Expr):
            lv(s.value, env)
            self._watch(s.value, env)
        elif isinstance(s, ast.Return):
            if s.value is not None and ff is not None:
                r = lv(s.value, env)
                if ff.custom_gradient and isinstance(s.value, ast.Tuple) and s.value.elts:
                    r = lv(s.value.elts[0], env)
                key = id(ff.node)
                old = self.returns.get(key, NOT)
                if r > old or key not in self.returns:
                    self.returns[key] = max(old, r)
                    self._changes += 1  # its version changes when its analysis ends with another result
                self._record_return_shape(key, s.value, env)
        elif isinstance(s, ast.If):
            lv(s.test, env)
            a, b = env.copy(), env.copy()
            py_if_true, py_if_false = self._python_when(s.test)
            for name in py_if_true:
                a.levels[name] = NOT
            for name in py_if_false:
                b.levels[name] = NOT
            self._walk_block(s.body, a, ff)
            self._walk_block(s.orelse, b, ff)
            # After the `if`, the names are what one of the two branches left (each started from `env`).
            containers = {n for n in a.containers | b.containers if a.python_truth(n) and b.python_truth(n)}
            env.join(a, b)
            env.containers = containers
        elif isinstance(s, ast.While):
            lv(s.test, env)
            self._loop_body(s.body, env, ff)
            self._walk_block(s.orelse, env, ff)
        elif isinstance(s, (ast.For, ast.AsyncFor)):
            lv(s.iter, env)
            self.kind(s.iter, env)
            self._bind_element(s.target, self._element(s.iter, env), env)
            self._loop_body(s.body, env, ff)
            self._walk_block(s.orelse, env, ff)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            for item in s.items:
                v = lv(item.context_expr, env)
                if item.optional_vars is not None:
                    k = "tape" if self.info.is_tape_ctor(item.context_expr) else None
                    self._bind(item.optional_vars, NOT if k else v, k, env, None)
            self._walk_block(s.body, env, ff)
        elif isinstance(s, ast.Try) or type(s).__name__ == "TryStar":
            tr = cast(ast.Try, s)  # try/except* has the same fields
            self._walk_block(tr.body, env, ff)
            for h in tr.handlers:
                self._walk_block(h.body, env, ff)
            self._walk_block(tr.orelse, env, ff)
            self._walk_block(tr.finalbody, env, ff)
        elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)):
            closure = self.closures.get(id(s))
            if closure is None or not closure.same(env):
                self._changed(id(s), _IN)
            self.closures[id(s)] = env.copy()
            env.levels[s.name] = NOT
            env.kinds.pop(s.name, None)
            fn_before, self._fn_now = self._fn_now, s  # a decorator's enclosing function is the def it decorates
            for d in s.decorator_list:
                lv(d, env)
            self._fn_now = fn_before
            cf = self.info.functions.get(id(s))
            if cf is not None and ff is not None:
                # Nested defs are analysed right away, with the closure as it is here.
                self._analyze(cf)
        elif isinstance(s, ast.ClassDef):
            env.levels[s.name] = NOT
        elif isinstance(s, ast.Match):
            lv(s.subject, env)
            branches = []
            for case in s.cases:
                a = env.copy()
                self._walk_block(case.body, a, ff)
                branches.append(a)
            env.join(*branches)
        else:
            for child in ast.iter_child_nodes(s):
                if isinstance(child, ast.expr):
                    lv(child, env)

    def _loop_body(self, body: list[ast.stmt], env: Env, ff: FunctionFacts | None) -> None:
        """A loop body, walked twice so what one iteration binds reaches the next.  The second pass starts from the
        joined environment; when the first pass neither grew it nor changed anything else a statement reads
        (`_changes`), the second would repeat the first exactly (the same levels and kinds memoised again, the
        same seeds and returns) and is skipped."""
        changes = self._changes
        a = env.copy()
        self._walk_block(body, a, ff)
        if not env.join_grew(a) and self._changes == changes and self.REUSE:
            return
        a = env.copy()
        self._walk_block(body, a, ff)
        env.join(a)

    def _record_return_shape(self, key: int, value: ast.expr, env: Env) -> None:
        shapes = (self.return_kinds.get(key, _ABSENT), self.return_tuples.get(key, _ABSENT))
        self._merge_return_shape(key, value, env)
        if (self.return_kinds.get(key, _ABSENT), self.return_tuples.get(key, _ABSENT)) != shapes:
            self._changed(key, _OUT)

    def _merge_return_shape(self, key: int, value: ast.expr, env: Env) -> None:
        k = self.kind(value, env)
        if key not in self.return_kinds:
            self.return_kinds[key] = k
        elif self.return_kinds[key] != k:
            self.return_kinds[key] = None
        if isinstance(value, ast.Tuple) and not any(isinstance(x, ast.Starred) for x in value.elts):
            elts = [(self.memo.get(id(x), NOT), self.kind(x, env)) for x in value.elts]
        else:
            elts = None
        if key not in self.return_tuples:
            self.return_tuples[key] = elts
            return
        old = self.return_tuples[key]
        if old is None or elts is None or len(old) != len(elts):
            self.return_tuples[key] = None
        else:
            self.return_tuples[key] = [(max(a[0], b[0]), a[1] if a[1] == b[1] else None) for a, b in zip(old, elts)]

    def _builtin(self, e: ast.AST, env: Env) -> str | None:
        """The name of the Python builtin `e` calls (`zip(...)`), unless a local, module function or import
        shadows it."""
        if not (isinstance(e, ast.Call) and isinstance(e.func, ast.Name)):
            return None
        name = e.func.id
        if name in env.levels or name in self.info.module_functions or name in self.info.imports.raw:
            return None
        return name

    def _element(self, it: ast.AST, env: Env) -> Element:
        """What iterating `it` yields, `it` already evaluated in `env`."""
        builtin = self._builtin(it, env)
        if builtin is not None:
            call = cast(ast.Call, it)
            args = call.args
            if any(isinstance(a, ast.Starred) for a in args):
                return Element(self.memo.get(id(it), NOT))
            if builtin == "range":
                return Element(NOT)
            if builtin == "enumerate" and args:
                return _tuple_element((Element(NOT), self._element(args[0], env)))
            if builtin == "zip" and args:
                return _tuple_element(tuple(self._element(a, env) for a in args))
            if builtin in _SAME_ELEMENTS_BUILTINS and len(args) == 1:
                return self._element(args[0], env)
        if id(it) in self.kind_memo:
            kind = self.kind_memo[id(it)]
        elif isinstance(it, (ast.Name, ast.Call, ast.Attribute)):
            kind = self.kind(it, env)
        else:
            kind = None
        if kind == "dataset":
            return Element(TENSOR, "data")  # a tf.data.Dataset yields eager tensors no tape watches
        if isinstance(it, (ast.List, ast.Tuple, ast.Set)) and it.elts:
            if any(isinstance(x, ast.Starred) for x in it.elts):
                return Element(self.memo.get(id(it), NOT))
            found = [self._value_element(x, env) for x in it.elts]
            out = found[0]
            for el in found[1:]:
                out = out.join(el)
            return out
        if isinstance(it, ast.Dict):
            keys = [k for k in it.keys if k is not None]
            return Element(max((self.memo.get(id(k), NOT) for k in keys), default=NOT))
        if isinstance(it, ast.DictComp):
            return self._value_element(it.key, env)
        if isinstance(it, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return self._value_element(it.elt, env)
        if isinstance(it, ast.Subscript) and isinstance(it.slice, ast.Slice):
            return self._element(it.value, env)  # `self.blocks[1:]`
        level = self.memo.get(id(it), NOT)
        if isinstance(it, ast.Name):
            known = env.elements.get(it.id) if it.id in env.levels else self.module_env.elements.get(it.id)
            return known if known is not None else Element(level)
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and not it.args:
            # `d.values()` / `d.items()` / `d.keys()` of a dict of layers held on `self`
            held = self._self_layer_container(it.func.value)
            if held is not None and it.func.attr in {"values", "items", "keys"}:
                layers = Element(NOT, "layer")
                if it.func.attr == "values":
                    return layers
                return _tuple_element((Element(NOT), layers)) if it.func.attr == "items" else Element(NOT)
        held = self._self_layer_container(it)
        if held is not None:
            return Element(NOT) if held else Element(NOT, "layer")
        if isinstance(it, ast.Attribute):
            if kind == "variable":
                return Element(DIFF, "variable")  # `model.trainable_variables`: a list of variables
            if it.attr == "layers" and self.kind_memo.get(id(it.value)) == "layer":
                return Element(NOT, "layer")  # `model.layers`
        return Element(level)

    def _value_element(self, x: ast.expr, env: Env) -> Element:
        """The Element a value expression makes when a container holds it."""
        if isinstance(x, ast.Tuple) and not any(isinstance(y, ast.Starred) for y in x.elts):
            return _tuple_element(tuple(self._value_element(y, env) for y in x.elts))
        k = self.kind_memo[id(x)] if id(x) in self.kind_memo else self.kind(x, env)
        return Element(self.memo.get(id(x), NOT), k)

    def _self_layer_container(self, e: ast.AST) -> bool | None:
        """For `self.<attr>` holding a list, tuple or dict of layers: whether it is a dict; None otherwise."""
        if not (isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.value.id == "self"):
            return None
        cls = self._class_at(e)
        if cls is None or e.attr not in cls.layer_container_attrs:
            return None
        return e.attr in cls.layer_dict_attrs

    def _bind_element(self, target: ast.AST, el: Element, env: Env) -> None:
        """Binds a loop or comprehension target to what one iteration yields."""
        if isinstance(target, (ast.Tuple, ast.List)):
            plain = not any(isinstance(t, ast.Starred) for t in target.elts)
            if el.parts is not None and plain and len(el.parts) == len(target.elts):
                for t, part in zip(target.elts, el.parts):
                    self._bind_element(t, part, env)
                return
            # Unpacked in ways not followed: each name may hold what the element holds. A dataset element is a
            # nested structure whose every leaf is data.
            inner = Element(el.level, el.kind if el.kind == "data" else None)
            for t in target.elts:
                self._bind_element(t, inner, env)
        elif isinstance(target, ast.Starred):
            self._bind(target.value, el.level, None, env, None)
        else:
            self._bind(target, el.level, el.kind, env, None)

    def _is_dataset(self, e: ast.Call, env: Env) -> bool:
        """`tf.data.Dataset.from_tensor_slices(...)`, `ds.batch(32)`, `ds.map(f).prefetch(2)`..."""
        q = self.info.imports.qualname(e.func) or ""
        if q.startswith("tensorflow.data.") or q.startswith("tensorflow.keras.utils.image_dataset_from"):
            return True
        if q.startswith("keras.utils.") and q.endswith("_dataset_from_directory"):
            return True
        f = e.func
        return (
            isinstance(f, ast.Attribute)
            and f.attr in _DATASET_METHODS
            and self.kind_memo.get(id(f.value), self.kind(f.value, env)) == "dataset"
        )

    def _python_when(self, test: ast.expr) -> tuple[set[str], set[str]]:
        """Names a condition proves to be Python values (not tensors) when it is true / when it is false."""
        negate = False
        while isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            test, negate = test.operand, not negate
        py_true: set[str] = set()
        py_false: set[str] = set()
        if isinstance(test, ast.Call) and test.args and isinstance(test.args[0], ast.Name):
            name = test.args[0].id
            q = self.info.imports.qualname(test.func) or ""
            if q in {"tensorflow.is_tensor", "tensorflow.is_symbolic_tensor", "keras.ops.is_tensor"}:
                py_false.add(name)
            elif isinstance(test.func, ast.Name) and test.func.id == "isinstance" and len(test.args) == 2:
                classes = test.args[1].elts if isinstance(test.args[1], ast.Tuple) else [test.args[1]]
                names = [self.info.imports.qualname(c) or (c.id if isinstance(c, ast.Name) else "") for c in classes]
                if names and all(n in _PYTHON_TYPES for n in names):
                    py_true.add(name)
                elif names and all(n.startswith(("tensorflow.", "keras.")) for n in names):
                    py_false.add(name)
        elif (
            isinstance(test, ast.Compare)
            and len(test.ops) == 1
            and isinstance(test.left, ast.Name)
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value is None
        ):
            if isinstance(test.ops[0], ast.Is):
                py_true.add(test.left.id)
            elif isinstance(test.ops[0], ast.IsNot):
                py_false.add(test.left.id)
        return (py_false, py_true) if negate else (py_true, py_false)

    def _callee_of(self, call: ast.Call) -> FunctionFacts | None:
        from gradls.analysis.regions import resolve_callee

        return resolve_callee(self.info, call, self._fn_now)

    def _watch(self, e: ast.AST, env: Env) -> None:
        # tape.watch(x) makes x a differentiable source from here on.
        if (
            isinstance(e, ast.Call)
            and isinstance(e.func, ast.Attribute)
            and e.func.attr == "watch"
            and isinstance(e.func.value, ast.Name)
            and env.kinds.get(e.func.value.id) == "tape"
        ):
            for a in e.args:
                for n in ast.walk(a):
                    if isinstance(n, ast.Name):
                        env.levels[n.id] = DIFF

    def _bind(self, target: ast.AST, level: int, kind: str | None, env: Env, value: ast.AST | None) -> None:
        if isinstance(target, ast.Name):
            env.levels[target.id] = level
            if value is not None and self._is_container(value, env):
                env.containers.add(target.id)
            else:
                env.containers.discard(target.id)
            el = self._element(value, env) if value is not None else None
            if el is not None and (el.kind or el.parts or el.level != level):
                env.elements[target.id] = el
            else:
                env.elements.pop(target.id, None)
            if kind:
                env.kinds[target.id] = kind
            else:
                env.kinds.pop(target.id, None)
        elif isinstance(target, (ast.Tuple, ast.List)):
            summary = None
            if isinstance(value, ast.Call):
                callee = self._callee_of(value)
                if callee is not None:
                    self._read(id(callee.node))
                    summary = self.return_tuples.get(id(callee.node))
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                for t, v in zip(target.elts, value.elts):
                    self._bind(t, self.memo.get(id(v), level), self.kind(v, env), env, v)
            elif summary is not None and len(summary) == len(target.elts):
                for t, (elt_level, elt_kind) in zip(target.elts, summary):
                    self._bind(t, elt_level, elt_kind, env, None)
            else:
                for t in target.elts:
                    self._bind(t, level, None, env, None)
        elif isinstance(target, ast.Starred):
            self._bind(target.value, level, None, env, None)
        elif isinstance(target, ast.Subscript):
            # `mask[i, :int(n[i])] = True`: the object and the index are read, and get levels like any load
            self.level(target.value, env)
            self.level(target.slice, env)

    def _is_container(self, e: ast.AST, env: Env) -> bool:
        """A tuple/list/dict/set display or comprehension, `list(...)`-like builtins, a name bound to one, or
        `+` of two of them: a Python container, whatever it holds."""
        if isinstance(e, _CONTAINER_NODES):
            return True
        if isinstance(e, ast.Name):
            return e.id in env.containers
        if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id in _CONTAINER_BUILTINS:
            name = e.func.id
            return (
                name not in env.levels and name not in self.info.module_functions and name not in self.info.imports.raw
            )
        if isinstance(e, ast.BinOp) and isinstance(e.op, ast.Add):
            return self._is_container(e.left, env) and self._is_container(e.right, env)
        return False

    def python_truth(self, e: ast.AST) -> bool:
        """Whether the truth value of `e` (as evaluated) is Python's though its level says it holds tensors: a
        container display, or a name bound to a container on every path (`inputs = (inputs,)`)."""
        while isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
            e = e.operand
        if isinstance(e, _CONTAINER_NODES):
            return True
        if isinstance(e, ast.BoolOp):
            held = [v for v in e.values if self.level_of(v) >= TENSOR]
            return bool(held) and all(self.python_truth(v) for v in held)
        return isinstance(e, ast.Name) and id(e) in self.container_names

    def _global_level(self, name: str) -> int:
        return self.module_env.levels.get(name, NOT)

    # ------------------------------------------------------------------ expressions
    def level_of(self, node: ast.AST) -> int:
        """Level of an expression as seen when its statement ran (NOT if never reached)."""
        return self.memo.get(id(node), NOT)

    def kind_of(self, node: ast.AST) -> str | None:
        return self.kind_memo.get(id(node))

    def kind(self, e: ast.AST, env: Env) -> str | None:
        k: str | None = None
        if isinstance(e, ast.Name):
            k = (
                env.kinds.get(e.id)
                or self.module_env.kinds.get(e.id)
                or self.info.module_objects.get(e.id)
                or self.info.external_object_kind(e.id)
            )
        elif isinstance(e, ast.Call):
            if self.info.is_tape_ctor(e):
                k = "tape"
            elif self._is_dataset(e, env):
                k = "dataset"
            else:
                k = self.info.object_kind(e)
                if k is None and isinstance(e.func, (ast.Name, ast.Attribute)):
                    callee = self._callee_of(e)
                    if callee is not None:
                        self._read(id(callee.node))
                        k = self.return_kinds.get(id(callee.node))
        elif isinstance(e, ast.Attribute) and isinstance(e.value, ast.Name) and e.value.id == "self":
            cls = self._class_at(e)
            if cls is not None:
                if e.attr in cls.layer_attrs:
                    k = "layer"
                elif e.attr in cls.variable_attrs:
                    k = "variable"
                elif e.attr in cls.frozen_attrs:
                    k = "frozen"
        elif isinstance(e, ast.Attribute) and e.attr in LAYER_WEIGHT_ATTRS and self.kind(e.value, env) == "layer":
            k = "variable"
        elif (
            isinstance(e, ast.Subscript)
            and isinstance(e.value, ast.Attribute)
            and isinstance(e.value.value, ast.Name)
            and e.value.value.id == "self"
        ):
            cls = self._class_at(e)
            if cls is not None and e.value.attr in cls.layer_container_attrs:
                k = "layer"  # `self.blocks[name]`: one of the layers the class keeps in a list or dict
        self.kind_memo[id(e)] = k
        return k

    def _class_at(self, node: ast.AST):
        fn = self._fn_now  # the enclosing function of `node`, an expression being evaluated
        while fn is not None:
            ff = self.info.facts(fn)
            if ff is None:
                return None
            if ff.cls is not None:
                return ff.cls
            fn = ff.parent
        return None

    def level(self, e: ast.AST, env: Env) -> int:
        v = self._level(e, env)
        self.memo[id(e)] = v
        return v

    def _level(self, e: ast.AST, env: Env) -> int:
        lv = self.level
        if isinstance(e, ast.Name):
            if e.id in env.containers:
                self.container_names.add(id(e))
            else:
                self.container_names.discard(id(e))
            if e.id in env.levels:
                v = env.levels[e.id]
            else:
                v = self._global_level(e.id)
            k = self.kind(e, env)
            if k == "variable":
                return DIFF
            if k == "frozen":
                return max(v, TENSOR)
            return v
        if isinstance(e, ast.Constant):
            return NOT
        if isinstance(e, ast.Attribute):
            base = lv(e.value, env)
            if e.attr in NON_TENSOR_ATTRS:
                return NOT
            k = self.kind(e, env)
            if k == "variable":
                return DIFF
            if k == "frozen":
                return TENSOR
            if e.attr in {"T", "real", "imag", "value"} and base >= TENSOR:
                return base
            return NOT
        if isinstance(e, ast.Call):
            return self._call_level(e, env)
        if isinstance(e, ast.BinOp):
            return max(lv(e.left, env), lv(e.right, env))
        if isinstance(e, ast.UnaryOp):
            v = lv(e.operand, env)
            return min(v, TENSOR) if isinstance(e.op, ast.Not) else v
        if isinstance(e, ast.BoolOp):
            # `not tf.is_tensor(n) and n == 1`: Python only evaluates the later operands when the guard
            # holds, so there `n` is a Python value (narrowing, as type checkers do for isinstance).
            out = NOT
            narrowed = env
            for operand in e.values:
                out = max(out, lv(operand, narrowed))
                py_true, py_false = self._python_when(operand)
                py = py_true if isinstance(e.op, ast.And) else py_false
                if py:
                    narrowed = narrowed.copy()
                    for name in py:
                        narrowed.levels[name] = NOT
            return out
        if isinstance(e, ast.Compare):
            levels = [lv(e.left, env)] + [lv(c, env) for c in e.comparators]
            if any(isinstance(op, (ast.Is, ast.IsNot, ast.In, ast.NotIn)) for op in e.ops):
                return NOT
            return TENSOR if max(levels) >= TENSOR else NOT
        if isinstance(e, ast.IfExp):
            lv(e.test, env)
            return max(lv(e.body, env), lv(e.orelse, env))
        if isinstance(e, ast.Subscript):
            v = lv(e.value, env)
            lv(e.slice, env)
            return v
        if isinstance(e, (ast.Tuple, ast.List, ast.Set)):
            return max((lv(x, env) for x in e.elts), default=NOT)
        if isinstance(e, ast.Starred):
            return lv(e.value, env)
        if isinstance(e, ast.NamedExpr):
            v = lv(e.value, env)
            self._bind(e.target, v, self.kind(e.value, env), env, e.value)
            return v
        if isinstance(e, ast.Dict):
            return max((lv(x, env) for x in e.values if x is not None), default=NOT)
        if isinstance(e, ast.Lambda):
            # The body sees the enclosing names as they are here (a `tf.cond` / `tf.while_loop` branch runs right
            # away); its own parameters are unknown. The lambda itself is a Python function.
            for d in [*e.args.defaults, *(k for k in e.args.kw_defaults if k is not None)]:
                lv(d, env)
            inner = env.copy()
            a = e.args
            for p in [*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg]:
                if p is not None:
                    inner.levels[p.arg] = NOT
                    inner.kinds.pop(p.arg, None)
                    inner.containers.discard(p.arg)
            lv(e.body, inner)
            return NOT
        if isinstance(e, _COMPREHENSIONS):
            # Each target holds what its iterable yields, in the comprehension's own scope; the container holds what
            # its elements (a dict's values) hold, as a display would.
            inner = env.copy()
            for gen in e.generators:
                lv(gen.iter, inner)
                self.kind(gen.iter, inner)
                self._bind_element(gen.target, self._element(gen.iter, inner), inner)
                for cond in gen.ifs:
                    lv(cond, inner)
            if isinstance(e, ast.DictComp):
                lv(e.key, inner)
                self.kind(e.key, inner)
                v = lv(e.value, inner)
                self.kind(e.value, inner)
                return v
            v = lv(e.elt, inner)
            self.kind(e.elt, inner)
            return v
        # F-strings, awaits: stay silent, but visit children for memo.
        for child in ast.iter_child_nodes(e):
            if isinstance(child, ast.expr):
                lv(child, env)
        return NOT

    def _call_level(self, e: ast.Call, env: Env) -> int:
        lv = self.level
        arg_levels = [lv(a, env) for a in e.args] + [lv(k.value, env) for k in e.keywords]
        args = max(arg_levels, default=NOT)
        f = e.func
        q = self.info.imports.qualname(f)
        if q is not None and self.info.project is not None and self.info.external(f) is not None:
            q = None  # a name from another module of the project: judged by its summary below
        if q is not None:
            last = q.rsplit(".", 1)[-1]
            if q.startswith("numpy.") or q in _KERAS_OPS_STATIC_SHAPE:
                return NOT
            if q in VARIABLE_CTORS:
                return TENSOR if self.info.object_kind(e) == "frozen" else DIFF
            if (
                q.startswith("tensorflow.")
                or q.startswith("keras.ops.")
                or q in self.info.imports.extra_tensor_functions
            ):
                if last in NON_TENSOR_TF or q.startswith(NON_TENSOR_TF_PREFIXES):
                    return NOT
                if last in SOURCE_OPS or ".random." in q:
                    return max(TENSOR, args) if last in {"convert_to_tensor", "identity"} else TENSOR
                if last in NON_DIFF_OPS:
                    return TENSOR
                if last == "cast" and len(e.args) > 1 and _INT_DTYPE.search(self.info.text(e.args[1]) or ""):
                    return TENSOR
                if last == "gradient" or last == "jacobian":
                    return TENSOR
                return max(TENSOR, args)
            if is_keras_layer_ctor(q):
                return NOT
            if q.startswith("keras.backend.") and last in _KERAS_BACKEND_PYTHON:
                return NOT
            if q.startswith(("keras.losses.", "keras.activations.", "keras.backend.")) and last[:1].islower():
                return max(TENSOR, args)
            return NOT
        if isinstance(f, ast.Call) and self.kind(f, env) == "layer":
            lv(f, env)
            return DIFF
        if isinstance(f, ast.Subscript) and self.kind(f, env) == "layer":
            return DIFF
        if isinstance(f, ast.Name):
            k = self.kind(f, env)
            if k == "layer":
                return DIFF
            if k == "loss":
                return max(TENSOR, args)
            if k == "metric":
                return TENSOR
            if f.id in _PY_NUMERIC_BUILTINS:
                return args
            if f.id == "self" and self._class_at(e) is not None and self._class_at(e).keras_kind in {"layer", "model"}:
                return DIFF  # a Keras model calling itself: `y_pred = self(x, training=True)`
            from gradls.analysis.regions import resolve_callee

            callee = resolve_callee(self.info, e, self._fn_now)
            if callee is not None:
                return self._summary(callee, e, arg_levels)
            if (
                f.id not in env.levels
                and f.id not in self.info.module_functions
                and _MODEL_NAME.search(f.id)
                and e.args
            ):
                return DIFF  # an unresolved `model(x)`: a model built elsewhere
            return NOT
        if isinstance(f, ast.Attribute):
            recv = f.value
            if isinstance(recv, ast.Name) and recv.id == "self":
                k = self.kind(f, env)
                if k == "layer":
                    return DIFF
                if k == "loss":
                    return max(TENSOR, args)
                if k == "metric":
                    return TENSOR
                from gradls.analysis.regions import resolve_callee

                callee = resolve_callee(self.info, e, self._fn_now)
                if callee is not None:
                    return self._summary(callee, e, arg_levels)
                if f.attr in _KERAS_LOSS_METHODS and args >= TENSOR:
                    return max(TENSOR, args)
                if _MODEL_NAME.search(f.attr) and e.args and not k:
                    return DIFF  # `self.model(x)` with the model handed in from outside
                return NOT
            if isinstance(recv, ast.Call) and isinstance(recv.func, ast.Name) and recv.func.id == "super":
                return args if f.attr in {"call", "__call__"} else NOT
            rk = self.kind(recv, env)
            r = lv(recv, env)
            if rk == "layer" and f.attr in {"call", "__call__"}:
                return DIFF
            if (
                rk is None
                and isinstance(recv, ast.Name)
                and recv.id not in env.levels
                and _MODEL_NAME.search(f.attr)
                and e.args
                and self.info.imports.qualname(recv) is None
            ):
                return DIFF  # `agent.policy(state)`
            if rk == "tape" and f.attr in {"gradient", "jacobian", "batch_jacobian"}:
                return TENSOR
            if r >= TENSOR:
                if f.attr in {"value", "read_value", "sparse_read", "gather_nd", "__call__"}:
                    return r
                if f.attr.startswith("assign"):
                    return TENSOR
                return NOT
        return NOT

    def _summary(self, callee: FunctionFacts, call: ast.Call, arg_levels: list[int]) -> int:
        """Level a module function returns, given this call's arguments (seeding its parameters)."""
        a = callee.node.args
        params = [p.arg for p in [*a.posonlyargs, *a.args]]
        if callee.cls is not None and params[:1] == ["self"]:
            params = params[1:]
        fid = id(callee.node)
        seeds = self.seeds[fid]
        for p, lvl in zip(params, arg_levels[: len(call.args)]):
            if lvl > seeds.get(p, NOT):
                seeds[p] = lvl
                self._seeds_changed = True
                self._changed(fid, _IN)
        # Object kinds travel too: `train_step(model, x)` with a Keras model makes `model` a layer there,
        # a fact from the call site instead of a guess from the parameter's name.
        kinds = self.kind_seeds.setdefault(id(callee.node), {})
        passed = list(zip(params, call.args)) + [(k.arg, k.value) for k in call.keywords if k.arg in params]
        for p, arg in passed:
            if isinstance(arg, ast.Starred) or p is None:
                continue
            k = self.kind_memo.get(id(arg))
            old = kinds.get(p, "")
            if old == "":
                kinds[p] = k
                self._changed(fid, _IN)
                if k is not None:
                    self._seeds_changed = True
            elif old != k:
                if old is not None:
                    self._seeds_changed = True
                    self._changed(fid, _IN)
                kinds[p] = None  # call sites disagree: unknown
        for kw in call.keywords:
            if kw.arg and kw.arg in params:
                lvl = self.memo.get(id(kw.value), NOT)
                if lvl > seeds.get(kw.arg, NOT):
                    seeds[kw.arg] = lvl
                    self._seeds_changed = True
                    self._changed(fid, _IN)
        if fid not in self.returns:
            level = self._analyze(callee)
        else:
            level = self.returns[fid]
        self._read(fid)
        return level
