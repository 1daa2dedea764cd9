// Elementwise float32 kernels: binary ops with any broadcast, unary ops, and the fused ReLU gradients.
import { addon } from '../addon.js';
import { broadcastGeometry, sizeOf } from '../util.js';

const BINARY = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, Maximum: 4, Minimum: 5, SquaredDifference: 6, FloorDiv: 7 };

const UNARY = {
  Relu: 0, Relu6: 1, Step: 2, Sqrt: 3, Square: 4, Exp: 5, Log: 6, Neg: 7, Abs: 8, Rsqrt: 9, Sigmoid: 10, Tanh: 11,
  LeakyRelu: 12, Elu: 13, Softplus: 14, Reciprocal: 15, Log1p: 16, Expm1: 17, Sin: 18, Cos: 19, Floor: 20, Ceil: 21,
  Sign: 22, Erf: 23, ClipByValue: 24,
};

function binary(op) {
  return ({ inputs, backend }) => {
    const { a, b } = inputs;
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
    const g = broadcastGeometry(a.shape, b.shape);
    if (g === undefined) return undefined;
    const out = backend.allocFloat32(sizeOf(g.outShape));
    addon.binary(out, backend.valuesOf(a), backend.valuesOf(b), op, g.shape, g.aStrides, g.bStrides);
    return backend.outputInfo(g.outShape, out);
  };
}

function unary(op, params) {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs;
    if (x.dtype !== 'float32') return undefined;
    const [alpha, beta] = params(attrs ?? {});
    const out = backend.allocFloat32(sizeOf(x.shape));
    addon.unary(out, backend.valuesOf(x), op, alpha, beta);
    return backend.outputInfo(x.shape, out);
  };
}

const none = () => [0, 0];

function reluGrad(kind) {
  return ({ inputs, backend }) => {
    const { dy, x } = inputs;
    const out = backend.allocFloat32(sizeOf(x.shape));
    addon.reluGrad(out, backend.valuesOf(dy), backend.valuesOf(x), kind);
    return backend.outputInfo(x.shape, out);
  };
}

/** Name of the fused ReLU gradient kernel (dy where x > 0), registered for the native backend only. */
export const RELU_GRAD = 'LightningReluGrad';
/** Name of the fused ReLU6 gradient kernel (dy where 0 < x <= 6). */
export const RELU6_GRAD = 'LightningRelu6Grad';

export const elementwiseKernels = {
  ...Object.fromEntries(Object.entries(BINARY).map(([name, op]) => [name, binary(op)])),
  ...Object.fromEntries(
    Object.entries(UNARY).map(([name, op]) => {
      let params = none;
      if (name === 'Step') params = (a) => [a.alpha ?? 0, 0];
      if (name === 'LeakyRelu') params = (a) => [a.alpha ?? 0.2, 0];
      if (name === 'ClipByValue') params = (a) => [a.clipValueMin, a.clipValueMax];
      return [name, unary(op, params)];
    }),
  ),
  [RELU_GRAD]: reluGrad(0),
  [RELU6_GRAD]: reluGrad(1),
};
