# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/42542 (corrected: `call` slices `init_seasonality` itself,
# so the slices are recorded with the rest of the forward pass and the weight gets a gradient)
from collections import deque

import numpy as np
import tensorflow as tf
from tensorflow.keras.layers import Layer
from tensorflow.keras import initializers

HORIZON, m, BATCH_SIZE, T = 2, 4, 4, 3


class ES(Layer):
    def __init__(self, horizon, m, batch_size, time_steps, **kwargs):
        self.horizon = horizon
        self.m = m
        self.batch_size = batch_size
        self.time_steps = time_steps
        super(ES, self).__init__(**kwargs)

    def build(self, input_shape):
        self.alpha = self.add_weight(name="alpha", shape=(1,), initializer="uniform", trainable=True)
        self.gamma = self.add_weight(name="gamma", shape=(1,), initializer="uniform", trainable=True)
        self.init_seasonality = self.add_weight(
            name="init_seasonality", shape=(self.m,), initializer=initializers.Constant(value=0.8), trainable=True
        )
        self.level = self.add_weight(
            name="init_level", shape=(1,), initializer=initializers.Constant(value=0.8), trainable=True
        )
        super(ES, self).build(input_shape)

    def call(self, x):
        n_examples = self.batch_size
        x1 = tf.reshape(tf.slice(x, (0, 0, 0), (1, self.time_steps, 1)), (self.time_steps,))
        x2 = tf.reshape(tf.slice(x, (1, self.time_steps - 1, 0), (n_examples - 1, 1, 1)), (n_examples - 1,))
        ts = tf.concat([x1, x2], axis=0)
        init_seasonality_list = [tf.slice(self.init_seasonality, (i,), (1,)) for i in range(self.m)]
        seasonality_queue = deque(init_seasonality_list, self.m)
        x_norm = []
        ls = []
        l_t_minus_1 = self.level
        for i in range(n_examples + self.time_steps - 1):
            y_t = ts[i]
            s_t = seasonality_queue.popleft()
            l_t = self.alpha * y_t / s_t + (1 - self.alpha) * l_t_minus_1
            s_t_plus_m = self.gamma * y_t / l_t + (1 - self.gamma) * s_t
            seasonality_queue.append(s_t_plus_m)
            x_norm.append(y_t / (s_t * l_t))
            l_t_minus_1 = l_t
            if i >= self.time_steps - 1:
                l = tf.concat([l_t] * self.horizon, axis=0)
                s = tf.concat([seasonality_queue[k] for k in range(self.horizon)], axis=0)
                ls.append(tf.expand_dims(tf.stack([l, s], axis=-1), axis=0))
        x_norm = tf.concat(x_norm, axis=0)
        x_out = [tf.expand_dims(tf.slice(x_norm, (i,), (self.time_steps,)), axis=0) for i in range(n_examples)]
        x_out = tf.expand_dims(tf.concat(x_out, axis=0), -1)
        return [x_out, tf.concat(ls, axis=0)]


class Denormalization(Layer):
    def call(self, x):
        return x[0] * x[1][:, :, 0] * x[1][:, :, 1]


model_input = tf.keras.Input(shape=(T, 1), batch_size=BATCH_SIZE)
es = ES(HORIZON, m, BATCH_SIZE, T)
normalized_input, denormalization_coeff = es(model_input)
gru_out = tf.keras.layers.GRU(5)(normalized_input)
model_output_normalized = tf.keras.layers.Dense(HORIZON)(gru_out)
model_output = Denormalization()([model_output_normalized, denormalization_coeff])
model = tf.keras.Model(inputs=model_input, outputs=model_output)

x = tf.constant(np.random.uniform(0.5, 1.5, (BATCH_SIZE, T, 1)), dtype=tf.float32)
y = tf.constant(np.random.uniform(0.5, 1.5, (BATCH_SIZE, HORIZON)), dtype=tf.float32)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(y - model(x)))
RESULT = gradient_status(tape.gradient(loss, [es.init_seasonality]))
