# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG009@26
# source: modelled on adversarial-examples usage (the TensorFlow FGSM tutorial's create_adversarial_pattern applied to a batch)
# The image batch is `tf.convert_to_tensor(x_train[:8])`, a plain tensor the tape in create_adversarial_pattern never
# watches: tape.gradient(loss, input_image) is None and tf.sign(None) raises ValueError under TF 2.21.
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([
    tf.keras.layers.Input((28, 28, 1)),
    tf.keras.layers.Conv2D(8, 3, activation="relu"),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(10),
])
model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
x_train = np.random.rand(64, 28, 28, 1).astype("float32")
y_train = np.random.randint(0, 10, 64)
model.fit(x_train, y_train, epochs=1, verbose=0)
loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def create_adversarial_pattern(input_image, input_label):
    with tf.GradientTape() as tape:
        prediction = model(input_image)
        loss = loss_object(input_label, prediction)
    gradient = tape.gradient(loss, input_image)
    signed_grad = tf.sign(gradient)
    return signed_grad


image = tf.convert_to_tensor(x_train[:8])
label = y_train[:8]
perturbations = create_adversarial_pattern(image, label)
eps = 0.1
adv_x = tf.clip_by_value(image + eps * perturbations, 0, 1)
print("adv acc", np.mean(np.argmax(model(adv_x), 1) == label))
