/**
 * A frozen target network seen as a sequence of named linear layers, the
 * common shape of every toy model. Its forward pass routes each decomposable
 * layer through a caller-supplied function, so the plain target pass, the
 * fully masked pass and the layerwise passes of a decomposition method all
 * come from one definition of the network.
 *
 * Layout convention: a layer maps a row vector by `x · weight + bias`, with
 * `weight` of shape `[dIn, dOut]` (the transpose of torch's `nn.Linear`
 * storage), so no forward matMul needs a transpose.
 *
 * @module
 */
import { tf } from "../runtime/backend.ts";

/** One frozen linear layer of a target. */
export interface LinearLayer {
  /** Layer name, e.g. `linear1` or `layers.0.mlp_in`. */
  readonly name: string;
  /** Input width. */
  readonly dIn: number;
  /** Output width. */
  readonly dOut: number;
  /** Weight `[dIn, dOut]`; never trained by a decomposition. */
  readonly weight: tf.Tensor2D;
  /** Bias `[dOut]`, reused but never decomposed, or null. */
  readonly bias: tf.Tensor1D | null;
}

/** Maps a layer's input activations to its output; supplied by the caller of `forward`. */
export type LayerFn = (layer: LinearLayer, input: tf.Tensor2D) => tf.Tensor2D;

/**
 * Applies the model's elementwise nonlinearity (ReLU in every built-in toy) to
 * a pre-activation; `forward` calls it once per nonlinearity, in order. The
 * default is `tf.relu`; a decomposition method may pass its own to record
 * pre-activations or to push a tangent through the ReLU's derivative.
 */
export type ActivationFn = (pre: tf.Tensor2D) => tf.Tensor2D;

/** A frozen target network with named decomposable layers. */
export interface TargetModel {
  /** Decomposable layers, in forward order. */
  readonly layers: readonly LinearLayer[];
  /**
   * Tied layers: `ties[a] = b` means layer `a`'s weight is the transpose of
   * layer `b`'s (TMS `linear2 = linear1ᵀ`), and a decomposition must tie its
   * factors the same way.
   */
  readonly ties: Readonly<Record<string, string>>;
  /**
   * True when an all-zero input gives exactly zero input activations at every
   * decomposable layer (no bias before any of them). Methods may then share
   * one computation among all-zero datapoints.
   */
  readonly zeroInputGivesZeroActivations: boolean;
  /** Input width. */
  readonly nInputs: number;
  /** Output width. */
  readonly nOutputs: number;
  /**
   * Runs the network on `x [batch, nInputs]`, calling `layerFn` for every
   * decomposable layer and `act` (default `tf.relu`) for every ReLU. Every
   * other operation must be linear (frozen maps, residual additions), so that
   * a pass with zero input, bias-free layers and ReLU derivatives computes a
   * tangent (forward-mode derivative) of the network.
   */
  forward(x: tf.Tensor2D, layerFn: LayerFn, act?: ActivationFn): tf.Tensor2D;
  /**
   * Optional shortcut: the same pass as `forward`, started from the input of
   * the first decomposable layer (`layers[0]`) instead of from `x`, skipping
   * the frozen operations before it (a residual MLP's embedding), which every
   * pass of a decomposition would otherwise repeat. Must give exactly what
   * `forward(x, …)` gives when `input` is that layer's input for `x`.
   */
  forwardFromFirstLayer?(input: tf.Tensor2D, layerFn: LayerFn, act?: ActivationFn): tf.Tensor2D;
  /**
   * Optional: when the output of the decomposable layer `layerName` reaches the
   * network output only through a fixed linear map J `[layer.dOut, nOutputs]`
   * (nothing nonlinear after it), so that output = (terms that do not depend
   * on that layer's output) + layerOutput · J, returns J; otherwise null. A
   * residual MLP's last `mlp_out` has J = W_U. A forward-mode tangent pass
   * may then fold J into the layer and never carry a `[rows, dOut]` tangent
   * through the map (APD's attributions: apd.md §8). The model owns J.
   */
  linearReadout?(layerName: string): tf.Tensor2D | null;
  /** Frees the model's tensors. */
  dispose(): void;
}

/** The plain target layer: `x · W + b`. */
export function targetLayer(layer: LinearLayer, input: tf.Tensor2D): tf.Tensor2D {
  const out = tf.matMul(input, layer.weight);
  return (layer.bias ? tf.add(out, layer.bias) : out) as tf.Tensor2D;
}

/** Runs the plain target and records every decomposable layer's input and output activations. */
export function targetPass(
  model: TargetModel,
  x: tf.Tensor2D,
): { output: tf.Tensor2D; inputs: Map<string, tf.Tensor2D>; outputs: Map<string, tf.Tensor2D> } {
  const inputs = new Map<string, tf.Tensor2D>();
  const outputs = new Map<string, tf.Tensor2D>();
  const output = model.forward(x, (layer, input) => {
    inputs.set(layer.name, input);
    const out = targetLayer(layer, input);
    outputs.set(layer.name, out);
    return out;
  });
  return { output, inputs, outputs };
}

/** Total number of decomposed weight entries, N in the faithfulness loss (spd.md §4.1). */
export function decomposedParamCount(model: TargetModel): number {
  return model.layers.reduce((n, l) => n + l.dIn * l.dOut, 0);
}
