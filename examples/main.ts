// Main job (temporary, until the Trainer lands): trains a small MLP with lightning-ts's nn on a toy problem.
import { nn, selectBackend, seedEverything, tf, valueAndGrads } from '../src/index.js';

class Mlp extends nn.Module<[tf.Tensor], tf.Tensor> {
  readonly l1 = new nn.Linear(2, 32);
  readonly l2 = new nn.Linear(32, 2);
  override forward(x: tf.Tensor): tf.Tensor {
    return this.l2.call(tf.relu(this.l1.call(x)));
  }
}

const backend = await selectBackend('auto');
console.log(`backend: ${backend.name} (${backend.reason})`);
seedEverything(42);
const model = new Mlp();
const x = tf.randomNormal([256, 2]);
const y = tf.oneHot(tf.cast(tf.greater(tf.mul(tf.gather(x, 0, 1), tf.gather(x, 1, 1)), 0), 'int32'), 2);
for (let step = 0; step <= 200; step++) {
  const params = model.parameters();
  const { value, grads } = valueAndGrads(() => tf.losses.softmaxCrossEntropy(y, model.call(x)), params.map((p) => p.value));
  tf.tidy(() => params.forEach((p, i) => grads[i] && p.assign(tf.sub(p.value, tf.mul(grads[i], 0.5)))));
  if (step % 50 === 0) console.log(`step ${step} loss ${value.dataSync()[0]?.toFixed(4)}`);
  value.dispose();
  grads.forEach((g) => g?.dispose());
}
