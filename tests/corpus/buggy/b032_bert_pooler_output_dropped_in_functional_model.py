# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG032@37
# source: https://github.com/huggingface/transformers/issues/5427
# The reporter's functional model on `TFBertModel(...)(ip1, attention_mask=ip2, token_type_ids=ip3)[0][:, 1:-1, :]`
# with a BiLSTM head: only the sequence output is used, so the pooler `call` computes for value 1 gets no gradient
# under fit (`Gradients do not exist for variables ['tf_bert_model/bert/pooler/dense/kernel:0', ...]`); RESULT: the
# pooler's weights never change. A small BERT-like subclassed model (embeddings, one encoder Dense, the pooler)
# stands in for transformers' TFBertModel.
import numpy as np
import tensorflow as tf
from tensorflow.keras.layers import LSTM, Bidirectional, Dense, Dropout, Embedding, Input
from tensorflow.keras.models import Model

max_length, vocab, hidden = 6, 30, 16


class TFBertModel(tf.keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.word_embeddings = Embedding(vocab, hidden)
        self.token_type_embeddings = Embedding(2, hidden)
        self.encoder = Dense(hidden, activation="gelu")
        self.pooler = Dense(hidden, activation="tanh", name="pooler")

    def call(self, input_ids, attention_mask=None, token_type_ids=None):
        h = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        h = h * tf.cast(attention_mask, h.dtype)[:, :, None]
        sequence_output = self.encoder(h)
        pooled_output = self.pooler(sequence_output[:, 0])
        return sequence_output, pooled_output


ip1 = Input(shape=(max_length + 2,), dtype="int32")
ip2 = Input(shape=(max_length + 2,), dtype="int32")
ip3 = Input(shape=(max_length + 2,), dtype="int32")
Bert_model = TFBertModel()
ip = Bert_model(ip1, attention_mask=ip2, token_type_ids=ip3)[0][:, 1:-1, :]
out = Bidirectional(LSTM(units=8))(ip)
out = Dense(8, activation="relu")(out)
out = Dropout(0.2)(out)
out = Dense(units=9, activation="softmax")(out)
model = Model([ip1, ip2, ip3], out)
model.compile(optimizer="sgd", loss="categorical_crossentropy")

n = 16
ids = np.random.randint(0, vocab, (n, max_length + 2)).astype("int32")
mask = np.ones((n, max_length + 2), dtype="int32")
types = np.zeros((n, max_length + 2), dtype="int32")
y = np.eye(9, dtype="float32")[np.random.randint(0, 9, n)]
before = [w.numpy().copy() for w in Bert_model.pooler.weights]
model.fit([ids, mask, types], y, epochs=1, verbose=0)
RESULT = ["zero" if np.array_equal(b, w.numpy()) else "ok" for b, w in zip(before, Bert_model.pooler.weights)]
