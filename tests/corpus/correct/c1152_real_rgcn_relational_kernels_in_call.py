# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/stellargraph/stellargraph/issues/649 (corrected as stellargraph PR #731 did: the relational kernels are computed from the bases in `call`; all train)
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K
from tensorflow.keras.layers import Input, Lambda, Layer


class RelationalGraphConvolution(Layer):
    def __init__(self, units, num_relationships, num_bases=0, activation=None, final_layer=False, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.num_relationships = num_relationships
        self.num_bases = num_bases
        self.activation = tf.keras.activations.get(activation)
        self.final_layer = final_layer
        self.kernel_initializer = "glorot_uniform"

    def build(self, input_shapes):
        feat_shape = input_shapes[0]
        input_dim = int(feat_shape[-1])
        if self.num_bases != 0:
            self.bases = self.add_weight(
                shape=(input_dim, self.units, self.num_bases), initializer=self.kernel_initializer, name="bases"
            )
            self.coefficients = [
                self.add_weight(shape=(self.num_bases,), initializer=self.kernel_initializer, name="coeff")
                for _ in range(self.num_relationships)
            ]
        else:
            self.bases = None
            self.coefficients = None
            self.relational_kernels = [
                self.add_weight(shape=(input_dim, self.units), initializer=self.kernel_initializer)
                for _ in range(self.num_relationships)
            ]
        self.self_kernel = self.add_weight(shape=(input_dim, self.units), initializer=self.kernel_initializer)
        self.built = True

    def call(self, inputs):
        features, out_indices, *As = inputs
        features = tf.squeeze(features, 0)
        out_indices = tf.squeeze(out_indices, 0)
        output = tf.matmul(features, self.self_kernel)
        if self.num_bases > 0:
            relational_kernels = [tf.einsum("ijk,k->ij", self.bases, coeff) for coeff in self.coefficients]
        else:
            relational_kernels = self.relational_kernels
        for i in range(self.num_relationships):
            h_graph = tf.matmul(As[i], features)
            output += tf.matmul(h_graph, relational_kernels[i])
        output = self.activation(output)
        if self.final_layer:
            output = tf.gather(output, out_indices)
        return tf.expand_dims(output, 0)


N_nodes, N_feat, N_rel = 6, 5, 2
x_t = Input(batch_shape=(1, N_nodes, N_feat))
out_indices_t = Input(batch_shape=(1, None), dtype="int32")
A_placeholders = [Input(batch_shape=(1, N_nodes, N_nodes)) for _ in range(N_rel)]
Ainput = [Lambda(lambda A: tf.squeeze(A, 0))(A_) for A_ in A_placeholders]
h = RelationalGraphConvolution(8, N_rel, num_bases=3, activation="relu")([x_t, out_indices_t] + Ainput)
out = RelationalGraphConvolution(3, N_rel, num_bases=3, activation="softmax", final_layer=True)(
    [h, out_indices_t] + Ainput
)
model = tf.keras.Model(inputs=[x_t, out_indices_t] + A_placeholders, outputs=out)
model.compile(optimizer="sgd", loss="categorical_crossentropy")

features = np.random.rand(1, N_nodes, N_feat).astype("float32")
indices = np.array([[0, 2, 4]], dtype="int32")
adjs = [np.random.randint(0, 2, (1, N_nodes, N_nodes)).astype("float32") for _ in range(N_rel)]
targets = np.eye(3, dtype="float32")[None]
watched = [w for w in model.trainable_weights if "bases" in w.path or "coeff" in w.path]
before = [w.numpy().copy() for w in watched]
model.fit([features, indices] + adjs, targets, epochs=1, verbose=0)
RESULT = ["zero" if np.array_equal(b, w.numpy()) else "ok" for b, w in zip(before, watched)]
