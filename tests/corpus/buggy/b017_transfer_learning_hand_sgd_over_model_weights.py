# gradls-fixture: tf-verdict=raises:TypeError
# gradls-expect: TFG017@28
# source: modelled on transfer-learning usage (keras.applications backbone in a functional model, hand-written SGD)
# Gradients are taken for model.weights, which includes the MobileNetV2 BatchNormalization moving statistics:
# their gradients are None and `lr * g` raises TypeError (TF 2.21).
import numpy as np
import tensorflow as tf
from tensorflow import keras

base = keras.applications.MobileNetV2(input_shape=(32, 32, 3), include_top=False, weights=None, alpha=0.35)
inputs = keras.Input((32, 32, 3))
x = keras.applications.mobilenet_v2.preprocess_input(inputs)
x = base(x, training=True)
x = keras.layers.GlobalAveragePooling2D()(x)
outputs = keras.layers.Dense(5)(x)
model = keras.Model(inputs, outputs)

images = np.random.randint(0, 255, (16, 32, 32, 3)).astype("float32")
labels = np.random.randint(0, 5, (16,))
lr = 0.01
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

for step in range(2):
    with tf.GradientTape() as tape:
        logits = model(images, training=True)
        loss = loss_fn(labels, logits)
    # hand-written SGD update over all weights of the model
    grads = tape.gradient(loss, model.weights)
    for w, g in zip(model.weights, grads):
        w.assign_sub(lr * g)
    print(step, float(loss))
