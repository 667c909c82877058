"""TFG037 frozen-model-trained: under Keras 3 a model frozen with `trainable = False` and trained later trains nothing.

RESULT is the change of the frozen model's weights over training: "zero" when it trained nothing."""

import pytest

from rules.casekit import case, check_verdict, findings_of

_WEIGHTS_CHANGE = """
def weight_change(model, before):
    import numpy as np

    return [np.abs(w.numpy() - b).sum() for w, b in zip(model.weights, before)]
"""

CASES = [
    # The tf.keras 2 GAN recipe at module level: the discriminator compiled, then frozen for the combined model.
    case(
        "tfg037_module_level_gan_recipe",
        "zero",
        _WEIGHTS_CHANGE
        + """
import numpy as np
import keras
from keras import layers

disc = keras.Sequential([keras.Input((2,)), layers.Dense(8, activation="relu"), layers.Dense(1, activation="sigmoid")])
disc.compile(optimizer="adam", loss="binary_crossentropy")
gen = keras.Sequential([keras.Input((4,)), layers.Dense(2)])
disc.trainable = False
z = keras.Input((4,))
combined = keras.Model(z, disc(gen(z)))
combined.compile(optimizer="adam", loss="binary_crossentropy")

before = [w.numpy().copy() for w in disc.weights]
for step in range(2):
    real = np.random.rand(8, 2).astype("float32")
    fake = gen.predict(np.random.rand(8, 4).astype("float32"), verbose=0)
    disc.train_on_batch(np.concatenate([real, fake]), np.concatenate([np.ones((8, 1)), np.zeros((8, 1))]))  # <- TFG037
    combined.train_on_batch(np.random.rand(8, 4).astype("float32"), np.ones((8, 1)))
RESULT = ["zero" if sum(weight_change(disc, before)) == 0 else "ok"]
""",
    ),
    # The Keras-GAN repository's class: frozen in __init__, trained in train().
    case(
        "tfg037_gan_class_frozen_in_init",
        "zero",
        _WEIGHTS_CHANGE
        + """
import numpy as np
from keras.layers import Dense, Input
from keras.models import Model, Sequential
from keras.optimizers import Adam


class GAN:
    def __init__(self):
        self.discriminator = Sequential([Input((2,)), Dense(8, activation="relu"), Dense(1, activation="sigmoid")])
        self.discriminator.compile(loss="binary_crossentropy", optimizer=Adam(0.0002, 0.5))
        self.generator = Sequential([Input((4,)), Dense(2)])
        z = Input(shape=(4,))
        self.discriminator.trainable = False
        self.combined = Model(z, self.discriminator(self.generator(z)))
        self.combined.compile(loss="binary_crossentropy", optimizer=Adam(0.0002, 0.5))

    def train(self, epochs, batch_size=8):
        for epoch in range(epochs):
            imgs = np.random.rand(batch_size, 2).astype("float32")
            noise = np.random.normal(0, 1, (batch_size, 4))
            gen_imgs = self.generator.predict(noise, verbose=0)
            self.discriminator.train_on_batch(imgs, np.ones((batch_size, 1)))  # <- TFG037
            self.discriminator.train_on_batch(gen_imgs, np.zeros((batch_size, 1)))
            self.combined.train_on_batch(noise, np.ones((batch_size, 1)))


gan = GAN()
before = [w.numpy().copy() for w in gan.discriminator.weights]
gan.train(epochs=2)
RESULT = ["zero" if sum(weight_change(gan.discriminator, before)) == 0 else "ok"]
""",
    ),
    # fit in a helper the script calls after freezing a pretrained classifier it still means to fine-tune.
    case(
        "tfg037_fit_in_helper_after_freeze",
        "zero",
        _WEIGHTS_CHANGE
        + """
import numpy as np
import keras

clf = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
clf.compile(optimizer="sgd", loss="mse")
clf.trainable = False
feature_model = keras.Model(clf.inputs, clf.outputs)


def fine_tune(x, y):
    clf.fit(x, y, epochs=1, verbose=0)  # <- TFG037


before = [w.numpy().copy() for w in clf.weights]
fine_tune(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"))
RESULT = ["zero" if sum(weight_change(clf, before)) == 0 else "ok"]
""",
    ),
    # Near misses: the Keras 3 form of the recipe (the flag toggled around each phase); a model frozen after its
    # training; tf_keras, whose compile() fixes the trainable weights.
    case(
        "tfg037_flag_toggled_per_phase",
        "ok",
        _WEIGHTS_CHANGE
        + """
import numpy as np
import keras
from keras import layers

disc = keras.Sequential([keras.Input((2,)), layers.Dense(8, activation="relu"), layers.Dense(1, activation="sigmoid")])
disc.compile(optimizer="adam", loss="binary_crossentropy")
gen = keras.Sequential([keras.Input((4,)), layers.Dense(2)])
disc.trainable = False
z = keras.Input((4,))
combined = keras.Model(z, disc(gen(z)))
combined.compile(optimizer="adam", loss="binary_crossentropy")

before = [w.numpy().copy() for w in disc.weights]
for step in range(2):
    real = np.random.rand(8, 2).astype("float32")
    disc.trainable = True
    disc.train_on_batch(real, np.ones((8, 1)))
    disc.trainable = False
    combined.train_on_batch(np.random.rand(8, 4).astype("float32"), np.ones((8, 1)))
RESULT = ["zero" if sum(weight_change(disc, before)) == 0 else "ok"]
""",
    ),
    case(
        "tfg037_frozen_after_its_training",
        "ok",
        _WEIGHTS_CHANGE
        + """
import numpy as np
import keras

base = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4)])
base.compile(optimizer="sgd", loss="mse")
before = [w.numpy().copy() for w in base.weights]
base.fit(np.ones((8, 3), "float32"), np.ones((8, 4), "float32"), epochs=1, verbose=0)
base.trainable = False
head = keras.Sequential([base, keras.layers.Dense(1)])
head.compile(optimizer="sgd", loss="mse")
head.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
RESULT = ["zero" if sum(weight_change(base, before)) == 0 else "ok"]
""",
    ),
    case(
        "tfg037_tf_keras_compile_fixes_the_flag",
        "ok",
        """
import numpy as np
import tf_keras as keras

disc = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(2,)), keras.layers.Dense(1)])
disc.compile(optimizer="adam", loss="mse")
disc.trainable = False
z = keras.Input((2,))
combined = keras.Model(z, disc(z))
combined.compile(optimizer="adam", loss="mse")
before = [w.numpy().copy() for w in disc.weights]
disc.train_on_batch(np.random.rand(8, 2).astype("float32"), np.ones((8, 1)))
RESULT = ["ok" if any(np.abs(w.numpy() - b).sum() > 0 for w, b in zip(disc.weights, before)) else "zero"]
""",
    ),
]


# Issue 10 (realistic programs, third wave): fine-tuning by setting `base.trainable = True` between two `fit` calls
# without compiling again. Keras 3 keeps the training function (and the optimizer's variables) made by the first
# `fit` after `compile()`, so the unfrozen base gets no update; compiling again, or unfreezing before the first
# `fit`, trains it.
_FINE_TUNE = """
import numpy as np
import keras

base = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu")], name="base")
inp = keras.Input((8,))
features = base(inp)
model = keras.Model(inp, keras.layers.Dense(1)(features))
x = np.random.rand(32, 8).astype("float32")
y = np.random.rand(32, 1).astype("float32")
base.trainable = False
model.compile(optimizer="adam", loss="mse")
{steps}
RESULT = ["ok" if any(np.abs(w.numpy() - b).sum() > 0 for w, b in zip(base.weights, before)) else "zero"]
"""
CASES += [
    case(
        "tfg037_unfrozen_between_fits_without_compile",
        "zero",
        _FINE_TUNE.format(
            steps="""model.fit(x, y, epochs=1, verbose=0)
base.trainable = True  # <- TFG037
before = [w.numpy().copy() for w in base.weights]
model.fit(x, y, epochs=1, verbose=0)"""
        ),
    ),
    case(
        "tfg037_model_unfrozen_between_train_on_batch_calls",
        "zero",
        """
import numpy as np
import keras

model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
x = np.random.rand(32, 8).astype("float32")
y = np.random.rand(32, 1).astype("float32")
model.trainable = False
model.compile(optimizer="adam", loss="mse")
model.train_on_batch(x, y)
model.trainable = True  # <- TFG037
before = [w.numpy().copy() for w in model.weights]
model.train_on_batch(x, y)
RESULT = ["ok" if any(np.abs(w.numpy() - b).sum() > 0 for w, b in zip(model.weights, before)) else "zero"]
""",
    ),
    case(
        "tfg037_ok_unfrozen_before_the_first_fit",
        "ok",
        _FINE_TUNE.format(
            steps="""base.trainable = True
before = [w.numpy().copy() for w in base.weights]
model.fit(x, y, epochs=1, verbose=0)"""
        ),
    ),
    case(
        "tfg037_unfrozen_between_fits_without_compile_fixed",
        "ok",
        _FINE_TUNE.format(
            steps="""model.fit(x, y, epochs=1, verbose=0)
base.trainable = True
model.compile(optimizer=keras.optimizers.Adam(1e-4), loss="mse")
before = [w.numpy().copy() for w in base.weights]
model.fit(x, y, epochs=1, verbose=0)"""
        ),
    ),
]


# The Hands-On ML 3rd ed. GAN loop (ageron/handson-ml3#252): the training function unpacks the combined Sequential's
# `.layers` into local names, so the discriminator it trains is the module's frozen one.
_HOML_GAN = (
    _WEIGHTS_CHANGE
    + """
import numpy as np
import tensorflow as tf

generator = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(6)])
discriminator = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)])
gan = tf.keras.Sequential([generator, discriminator])
discriminator.compile(loss="mse", optimizer="rmsprop")
discriminator.trainable = False
gan.compile(loss="mse", optimizer="rmsprop")
{extra}

def train_gan(gan, batches, batch_size, codings_size):
    generator, discriminator = gan.layers
    for X_batch in batches:
        noise = tf.random.normal(shape=[batch_size, codings_size])
        X_fake_and_real = tf.concat([generator(noise), X_batch], axis=0)
        y1 = tf.constant([[0.0]] * batch_size + [[1.0]] * batch_size)
{d_step}
        gan.train_on_batch(tf.random.normal(shape=[batch_size, codings_size]), tf.ones((batch_size, 1)))


{build}
before = [w.numpy().copy() for w in {watched}.weights]
{run}
RESULT = ["zero" if sum(weight_change({watched}, before)) == 0 else "ok"]
"""
)
_BATCHES = "[np.random.rand(4, 6).astype('float32') for _ in range(2)]"
CASES += [
    case(
        "tfg037_discriminator_unpacked_from_sequential_layers",
        "zero",
        _HOML_GAN.format(
            extra="",
            d_step="        discriminator.train_on_batch(X_fake_and_real, y1)  # <- TFG037",
            build="gan.build((None, 3))",
            watched="discriminator",
            run=f"train_gan(gan, {_BATCHES}, 4, 3)",
        ),
    ),
    case(
        "tfg037_discriminator_unpacked_model_passed_by_keyword",
        "zero",
        _HOML_GAN.format(
            extra="",
            d_step="        discriminator.train_on_batch(X_fake_and_real, y1)  # <- TFG037",
            build="gan.build((None, 3))",
            watched="discriminator",
            run=f"train_gan(gan=gan, batches={_BATCHES}, batch_size=4, codings_size=3)",
        ),
    ),
    # Near-miss: the same loop trains another GAN whose discriminator was never frozen.
    case(
        "tfg037_unpacked_discriminator_of_another_gan_trains",
        "ok",
        _HOML_GAN.format(
            extra="""gen2 = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(6)])
disc2 = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)])
gan2 = tf.keras.Sequential([gen2, disc2])
disc2.compile(loss="mse", optimizer="rmsprop")
gan2.compile(loss="mse", optimizer="rmsprop")""",
            d_step="        discriminator.train_on_batch(X_fake_and_real, y1)",
            build="gan2.build((None, 3))",
            watched="disc2",
            run=f"train_gan(gan2, {_BATCHES}, 4, 3)",
        ),
    ),
    # Fixed: the loop makes the unpacked discriminator trainable for its own step and freezes it again.
    case(
        "tfg037_unpacked_discriminator_toggled_in_the_loop",
        "ok",
        _HOML_GAN.format(
            extra="",
            d_step="""        discriminator.trainable = True
        discriminator.train_on_batch(X_fake_and_real, y1)
        discriminator.trainable = False""",
            build="gan.build((None, 3))",
            watched="discriminator",
            run=f"train_gan(gan, {_BATCHES}, 4, 3)",
        ),
    ),
]


# The other direction: a layer frozen between two training calls with no compile() between keeps training under
# Keras 3 (the training function traced by the first fit keeps its variable list: "stale" = the frozen weights
# changed). With run_eagerly=True every step reads trainable_variables afresh and the freeze holds.
_FREEZE_LATE = """
import numpy as np
import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse"{eager})
x = np.random.rand(16, 4).astype("float32")
y = np.random.rand(16, 1).astype("float32")
model.fit(x, y, epochs=1, verbose=0)
{freeze}
before = [w.numpy().copy() for w in model.layers[0].weights]
model.fit(x, y, epochs=1, verbose=0)
changed = any(np.abs(w.numpy() - b).sum() > 0 for w, b in zip(model.layers[0].weights, before))
RESULT = ["stale" if changed else "ok"]
"""
CASES += [
    case(
        "tfg037_layer_frozen_between_fits_keeps_training",
        "stale",
        _FREEZE_LATE.format(eager="", freeze="model.layers[0].trainable = False  # <- TFG037"),
    ),
    case(
        "tfg037_ok_layer_frozen_between_fits_run_eagerly",
        "ok",
        _FREEZE_LATE.format(eager=", run_eagerly=True", freeze="model.layers[0].trainable = False"),
    ),
    case(
        "tfg037_layer_frozen_between_fits_keeps_training_fixed",
        "ok",
        _FREEZE_LATE.format(
            eager="", freeze='model.layers[0].trainable = False\nmodel.compile(optimizer="adam", loss="mse")'
        ),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG037"}) == c.expected


def test_message_names_the_freeze_line_and_the_remedy():
    from gradls.analysis import analyze

    src = next(c.source for c in CASES if c.name == "tfg037_gan_class_frozen_in_init")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG037"]
    assert "self.discriminator.trainable = False" in f.message and "trainable = True" in f.message
