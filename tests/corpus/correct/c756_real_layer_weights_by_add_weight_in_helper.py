# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/38211 (corrected)
# The weights made with add_weight in the helper __init__ calls: tracked and trained.
import tensorflow as tf


class FooLayer(tf.keras.layers.Layer):
    def __init__(self, siz):
        super(FooLayer, self).__init__()
        self.siz = siz
        self.buildFoo(siz)

    def call(self, in_data):
        Foo0 = tf.multiply(in_data, self.FooTns0)
        FooList = []
        FooList.append(Foo0)
        for it in range(1, self.siz + 1):
            tmp = tf.multiply(FooList[it - 1], self.FooTns[it - 1])
            FooList.append(tmp)
        return FooList[self.siz]

    def buildFoo(self, siz):
        self.FooTns0 = self.add_weight(shape=(), initializer="ones", name="TNS0")
        self.FooTns = []
        for it in range(0, self.siz):
            self.FooTns.append(self.add_weight(shape=(), initializer="ones", name="TNS" + str(it + 1)))


class FooModel(tf.keras.Model):
    def __init__(self, siz):
        super(FooModel, self).__init__()
        self.flayer = FooLayer(siz)

    def call(self, in_data):
        return self.flayer(in_data)


model = FooModel(5)
x = tf.ones((4, 1))
model(x)
print("trainable variables:", len(model.trainable_variables))
opt = tf.keras.optimizers.SGD(0.01)
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(model(x))
grads = tape.gradient(loss, model.trainable_variables)
opt.apply_gradients(zip(grads, model.trainable_variables))
RESULT = gradient_status(grads)
print("TNS0", float(model.flayer.FooTns0.numpy()))
