# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/eriklindernoren/Keras-GAN/issues/73 (corrected for Keras 3: the flag toggled per phase)
# The same program with the discriminator unfrozen for its own steps and frozen again for the combined model's:
# it trains under Keras 3 (RESULT: its weights change). Each model gets its own optimizer: a Keras 3 optimizer is built
# for the variables of the first model it updates (one shared by both raises ValueError: Unknown variable).
import numpy as np
from keras.layers import Concatenate, Dense, Input
from keras.models import Model
from keras.optimizers import Adam


class Pix2Pix:
    def __init__(self):
        self.discriminator = self.build_discriminator()
        self.discriminator.compile(loss="mse", optimizer=Adam(0.0002, 0.5), metrics=["accuracy"])
        self.generator = Model(*self._dense_net(4, 4))
        img_A = Input(shape=(4,))
        img_B = Input(shape=(4,))
        fake_A = self.generator(img_B)
        # For the combined model we will only train the generator
        self.discriminator.trainable = False
        valid = self.discriminator([fake_A, img_B])
        self.combined = Model(inputs=[img_A, img_B], outputs=[valid, fake_A])
        self.combined.compile(loss=["mse", "mae"], loss_weights=[1, 100], optimizer=Adam(0.0002, 0.5))

    def _dense_net(self, n_in, n_out):
        x = Input(shape=(n_in,))
        return x, Dense(n_out)(Dense(8, activation="relu")(x))

    def build_discriminator(self):
        a, b = Input(shape=(4,)), Input(shape=(4,))
        return Model([a, b], Dense(1)(Dense(8, activation="relu")(Concatenate()([a, b]))))

    def train(self, epochs, batch_size=4):
        for epoch in range(epochs):
            imgs_A, imgs_B = np.random.rand(batch_size, 4), np.random.rand(batch_size, 4)
            fake_A = self.generator.predict(imgs_B, verbose=0)
            self.discriminator.trainable = True
            self.discriminator.train_on_batch([imgs_A, imgs_B], np.ones((batch_size, 1)))
            self.discriminator.train_on_batch([fake_A, imgs_B], np.zeros((batch_size, 1)))
            self.discriminator.trainable = False
            self.combined.train_on_batch([imgs_A, imgs_B], [np.ones((batch_size, 1)), imgs_A])


gan = Pix2Pix()
before = [w.numpy().copy() for w in gan.discriminator.weights]
gan.train(epochs=2)
RESULT = ["zero" if sum(np.abs(w.numpy() - b).sum() for w, b in zip(gan.discriminator.weights, before)) == 0 else "ok"]
