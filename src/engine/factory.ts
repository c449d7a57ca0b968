/**
 * Making an engine (src/engine/engine.ts): which backend runs a model, with
 * what options. The backends are imported on first use, so that a run on
 * onnxruntime never loads tfjs and the other way round.
 */
import { CipherpatchError, fail } from '../core/errors.ts';
import { type ConvMixerConfig, type ConvMixerWeights, convMixerWeightsFromTensors, validateConvMixerConfig } from '../model/convmixer.ts';
import type { ResNetConfig, ResNetWeights } from '../model/resnet.ts';
import type { TensorLike } from '../model/stateDict.ts';
import type { Engine, TfjsBackendRequest } from './engine.ts';

export type EngineRequest = 'auto' | 'onnx' | 'tfjs';
export const ENGINE_REQUESTS: readonly EngineRequest[] = ['auto', 'onnx', 'tfjs'];

export interface EngineOptions {
  /**
   * 'onnx' (onnxruntime-node; an error when it cannot load), 'tfjs', or
   * 'auto': onnx when onnxruntime loads, else tfjs (engine.name says which ran).
   */
  readonly engine: EngineRequest;
  /** Images per forward pass (default: 32 on tfjs, 64 on onnx). */
  readonly batchSize?: number;
  /** tfjs backend; 'auto' (default) takes the fastest available. */
  readonly backend?: TfjsBackendRequest;
  /** tfjs worker threads; above 1 the images are split across a pool of workers, each with its own engine (default 1). */
  readonly workers?: number;
  /** onnx intra-op threads (default: every core; more than the cores is an error). */
  readonly threads?: number;
  /** onnx execution provider (default 'cpu'). */
  readonly executionProvider?: 'cpu' | 'cuda';
  /** onnx graph form (default 'auto'; see src/engine/onnxGraph.ts). */
  readonly onnxGraph?: 'auto' | 'conv' | 'dense';
  /** onnx: idle intra-op threads spin-wait (true) or sleep (default false); see OnnxEngineOptions.spinning. */
  readonly spinning?: boolean;
  /** Module to import instead of "onnxruntime-node" (custom builds; tests). */
  readonly onnxModule?: string;
}


function isWeights(weights: ConvMixerWeights | ReadonlyMap<string, TensorLike>): weights is ConvMixerWeights {
  return !(weights instanceof Map) && typeof weights === 'object' && weights !== null && 'embedWeight' in weights;
}

function sameConfig(a: ConvMixerConfig, b: ConvMixerConfig): boolean {
  return a.dim === b.dim && a.depth === b.depth && a.kernel === b.kernel && a.patch === b.patch && a.channels === b.channels && a.classes === b.classes;
}

/**
 * Creates an engine from validated weights or from a raw tensor map (a
 * PyTorch state dict, validated here with convMixerWeightsFromTensors). A
 * config, when given, must match the weights (check `engine.config-mismatch`).
 * 'auto' takes onnx when onnxruntime loads (any other onnx error — threads,
 * provider — is the caller's and is thrown), else tfjs; 'onnx' when
 * onnxruntime cannot load throws `engine.onnx-unavailable`. Checks
 * `engine.unknown`, `engine.workers`, and whatever the engine checks.
 */
export async function createEngine(
  weights: ConvMixerWeights | ReadonlyMap<string, TensorLike>,
  config?: ConvMixerConfig,
  options: EngineOptions = { engine: 'tfjs' },
): Promise<Engine> {
  let model: ConvMixerWeights;
  if (isWeights(weights)) {
    model = weights;
    if (config !== undefined && !sameConfig(validateConvMixerConfig(config), model.config)) {
      fail('engine.config-mismatch', `config ${JSON.stringify(config)} does not match the weights' config ${JSON.stringify(model.config)}`);
    }
  } else {
    model = convMixerWeightsFromTensors(weights, config);
  }
  const onnx = await runsOnOnnx(options);
  if (onnx === true) {
    const { createOnnxEngine } = await import('./onnx.ts');
    return createOnnxEngine(model, { batchSize: options.batchSize, threads: options.threads, executionProvider: options.executionProvider, graph: options.onnxGraph, spinning: options.spinning, module: options.onnxModule });
  }
  const workers = options.workers ?? 1;
  if (!Number.isSafeInteger(workers) || workers < 1) fail('engine.workers', `workers must be a positive integer, got ${String(options.workers)}`);
  if (workers > 1) {
    const { createParallelEngine } = await import('./parallel.ts');
    return withFallback(await createParallelEngine(model, { backend: options.backend, batchSize: options.batchSize, workers }), onnx);
  }
  const { createTfjsEngine } = await import('./tfjs.ts');
  return withFallback(await createTfjsEngine(model, { backend: options.backend, batchSize: options.batchSize }), onnx);
}

/** The tfjs engine, marked with why 'auto' fell back to it (nothing when tfjs was asked for). */
function withFallback<E extends Engine<unknown>>(engine: E, onnx: false | { readonly fallback: string }): E {
  return onnx === false ? engine : Object.assign(engine, { fallback: onnx.fallback });
}

/**
 * Whether the requested engine is onnx: 'onnx' always (true), 'tfjs' never
 * (false), 'auto' when onnxruntime loads (true; when it is unavailable, the
 * fallback with the reason; any other error is thrown). Checks `engine.unknown`.
 */
async function runsOnOnnx(options: EngineOptions): Promise<boolean | { readonly fallback: string }> {
  const requested = options.engine;
  if (!ENGINE_REQUESTS.includes(requested)) fail('engine.unknown', `unknown engine "${String(requested)}": use one of ${ENGINE_REQUESTS.join(', ')}`);
  if (requested !== 'auto') return requested === 'onnx';
  const { loadOnnxRuntime } = await import('./onnx.ts');
  return loadOnnxRuntime(options.onnxModule).then(
    () => true,
    (error: unknown) => {
      if (error instanceof CipherpatchError && error.check === 'engine.onnx-unavailable') return { fallback: `--engine auto fell back to tfjs: ${error.message}` };
      throw error;
    },
  );
}

/**
 * An engine for System B's ResNet (src/model/resnet.ts): 'onnx'
 * (onnxruntime-node, the graph built by buildResNetOnnx; an error when it
 * cannot load), 'tfjs' (src/engine/resnetTfjs.ts, one engine in this thread:
 * `workers` above 1 is rejected, check `engine.workers`), or 'auto': onnx
 * when onnxruntime loads, else tfjs (engine.name says which ran).
 */
export async function createResNetEngine(weights: ResNetWeights, options: EngineOptions = { engine: 'auto' }): Promise<Engine<ResNetConfig>> {
  const onnx = await runsOnOnnx(options);
  if (onnx === true) {
    const { createOnnxResNetEngine } = await import('./resnetOnnx.ts');
    return createOnnxResNetEngine(weights, { batchSize: options.batchSize, threads: options.threads, executionProvider: options.executionProvider, module: options.onnxModule });
  }
  if (options.workers !== undefined && options.workers !== 1) fail('engine.workers', `a ResNet runs in one tfjs engine; workers must be 1, got ${String(options.workers)}`);
  const { createTfjsResNetEngine } = await import('./resnetTfjs.ts');
  return withFallback(await createTfjsResNetEngine(weights, { backend: options.backend, batchSize: options.batchSize }), onnx);
}
