/**
 * The System B golden runs in golden/runs/system-b-<name>/<model>/ (made by
 * golden/generate/system_b.py; <model> = plain, shuffle, negpos, ffx) and
 * their schema — the System A schema (golden/goldenRun.ts) with System B's
 * settings: right key set, plain images, wrong key sets. Every file is
 * validated on load; a malformed golden file fails naming the wrong field.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type SystemBKey, type SystemBTransform, SYSTEM_B_TRANSFORMS } from '../src/variants/systemBKey.ts';
import { readSystemBKeyFile, readSystemBKeyListFile } from '../src/io/keyFile.ts';
import { type Tensor, readSafetensorsFile } from '../src/io/safetensors.ts';
import { type ResNetWeights, resnetWeightsFromTensors } from '../src/model/resnet.ts';
import { type Accuracies, REPO_DIR, RUNS_DIR, checkCommonProvenance, isAccuracy, provenanceCheck } from './goldenRun.ts';

export const SYSTEM_B_MODELS = ['plain', ...SYSTEM_B_TRANSFORMS] as const;
export type SystemBModel = (typeof SYSTEM_B_MODELS)[number];

export interface SystemBMetrics {
  readonly format: 'cipherpatch-golden-metrics';
  readonly version: 1;
  readonly system: 'B';
  readonly transform: SystemBModel;
  readonly device: 'cuda' | 'cpu';
  readonly model: { architecture: 'resnet18-cifar'; width: number; blocks: number[]; channels: number; classes: number };
  readonly blockSize: number;
  readonly testImages: number;
  readonly ciSubsetImages: number;
  readonly authors: Record<string, unknown>;
  readonly results: {
    readonly plainImages: Accuracies;
    readonly rightKey?: Accuracies;
    readonly wrongKeys?: { readonly images: number; readonly accuracy: readonly number[] };
  };
}

/** Schema check: throws naming the first field that is wrong. */
export function validateSystemBMetrics(json: unknown): SystemBMetrics {
  const at = (path: string, ok: boolean) => {
    if (!ok) throw new Error(`System B golden metrics: ${path} is missing or malformed`);
  };
  const o = json as Record<string, any>;
  at('format', o?.format === 'cipherpatch-golden-metrics');
  at('version', o.version === 1);
  at('system', o.system === 'B');
  at('transform', SYSTEM_B_MODELS.includes(o.transform));
  at('device', o.device === 'cuda' || o.device === 'cpu');
  at('model.architecture', o.model?.architecture === 'resnet18-cifar');
  for (const k of ['width', 'channels', 'classes']) at(`model.${k}`, Number.isInteger(o.model?.[k]) && o.model[k] > 0);
  at('model.blocks', Array.isArray(o.model?.blocks) && o.model.blocks.length === 4 && o.model.blocks.every((b: unknown) => Number.isInteger(b) && (b as number) > 0));
  at('blockSize', Number.isInteger(o.blockSize) && o.blockSize > 0);
  at('testImages', Number.isInteger(o.testImages) && o.testImages > 0);
  at('ciSubsetImages', Number.isInteger(o.ciSubsetImages) && o.ciSubsetImages > 0 && o.ciSubsetImages <= o.testImages);
  at('authors', typeof o.authors === 'object' && o.authors !== null);
  const r = o.results;
  for (const setting of o.transform === 'plain' ? ['plainImages'] : ['plainImages', 'rightKey']) {
    at(`results.${setting}.full`, isAccuracy(r?.[setting]?.full));
    at(`results.${setting}.ciSubset`, isAccuracy(r?.[setting]?.ciSubset));
  }
  if (o.transform !== 'plain') {
    at('results.wrongKeys.images', Number.isInteger(r?.wrongKeys?.images) && r.wrongKeys.images > 0);
    at('results.wrongKeys.accuracy', Array.isArray(r?.wrongKeys?.accuracy) && r.wrongKeys.accuracy.length > 0 && r.wrongKeys.accuracy.every(isAccuracy));
  }
  return o as SystemBMetrics;
}

export interface SystemBProvenance {
  readonly device: string;
  readonly gpu: string | null;
  readonly torch: string;
  readonly command: string;
  readonly recipe: Record<string, unknown>;
  readonly seed: number;
  readonly trainSeconds: number;
  readonly wallSeconds: number;
  readonly date: string;
  readonly cifar10Md5: Record<string, string>;
  readonly key: { file: string; sha256: string } | null;
  readonly wrongKeys: { file: string; sha256: string; count: number } | null;
}

export function validateSystemBProvenance(json: unknown, transform: SystemBModel): SystemBProvenance {
  const o = json as Record<string, any>;
  const at = provenanceCheck('System B golden provenance');
  checkCommonProvenance(o, at);
  at('command', typeof o.command === 'string' && o.command.includes('system_b.py'));
  at('recipe', typeof o.recipe === 'object' && o.recipe !== null && Number.isInteger(o.recipe.epochs));
  at('trainSeconds', typeof o.trainSeconds === 'number');
  if (transform === 'plain') {
    at('key', o.key === null);
    at('wrongKeys', o.wrongKeys === null);
  } else {
    at('key', typeof o.key?.file === 'string' && /^[0-9a-f]{64}$/.test(o.key?.sha256));
    at('wrongKeys', typeof o.wrongKeys?.file === 'string' && /^[0-9a-f]{64}$/.test(o.wrongKeys?.sha256) && Number.isInteger(o.wrongKeys?.count) && o.wrongKeys.count > 0);
  }
  return o as SystemBProvenance;
}

export interface SystemBRun {
  /** e.g. "system-b-cpu/ffx". */
  readonly name: string;
  readonly dir: string;
  readonly transform: SystemBModel;
  readonly metrics: SystemBMetrics;
  readonly provenance: SystemBProvenance;
  /** null when the run's directory holds no weights (a GPU run whose ~45 MB weights live outside git). */
  readonly weights: ResNetWeights | null;
  readonly ciOutputs: Map<string, Tensor>;
  /** null for the plain model. */
  readonly key: SystemBKey | null;
  /** The wrong key sets the run evaluated (the first `count` of its list). */
  readonly wrongKeys: readonly SystemBKey[];
}

/** Every System B run as "system-b-<name>/<model>", sorted. */
export function systemBRunNames(): string[] {
  const out: string[] = [];
  if (!existsSync(RUNS_DIR)) return out;
  for (const group of readdirSync(RUNS_DIR).filter((n) => n.startsWith('system-b')).sort()) {
    for (const model of SYSTEM_B_MODELS) if (existsSync(join(RUNS_DIR, group, model, 'metrics.json'))) out.push(`${group}/${model}`);
  }
  return out;
}

/** model.safetensors, or the union of its shards model-KKKKK-of-NNNNN.safetensors (all of them, each tensor once). */
export function readModelTensors(dir: string): Map<string, Tensor> {
  if (existsSync(join(dir, 'model.safetensors'))) return readSafetensorsFile(join(dir, 'model.safetensors')).tensors;
  const shards = readdirSync(dir).filter((f) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(f)).sort();
  if (shards.length === 0) throw new Error(`${dir}: no model.safetensors and no model-KKKKK-of-NNNNN.safetensors shards`);
  const total = Number(shards[0].slice(15, 20));
  if (shards.length !== total || shards.some((f, i) => Number(f.slice(6, 11)) !== i + 1 || Number(f.slice(15, 20)) !== total)) throw new Error(`${dir}: incomplete shards ${shards.join(', ')}`);
  const out = new Map<string, Tensor>();
  for (const f of shards) {
    for (const [k, t] of readSafetensorsFile(join(dir, f)).tensors) {
      if (out.has(k)) throw new Error(`${dir}: tensor ${k} is in two shards`);
      out.set(k, t);
    }
  }
  return out;
}

export function loadSystemBRun(name: string): SystemBRun {
  const dir = join(RUNS_DIR, name);
  const json = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown;
  const metrics = validateSystemBMetrics(json('metrics.json'));
  const provenance = validateSystemBProvenance(json('provenance.json'), metrics.transform);
  const hasWeights = readdirSync(dir).some((f) => /^model(-\d{5}-of-\d{5})?\.safetensors$/.test(f));
  const weights = hasWeights ? resnetWeightsFromTensors(readModelTensors(dir)) : null;
  const { width, blocks, channels, classes } = metrics.model;
  const c = weights?.config;
  if (c !== undefined && (c.width !== width || c.blocks.join() !== blocks.join() || c.channels !== channels || c.classes !== classes)) {
    throw new Error(`${name}: model.safetensors is a ResNet w=${c.width} blocks ${c.blocks.join('/')}, metrics.json says w=${width} blocks ${blocks.join('/')}`);
  }
  const expected = { blockSize: metrics.blockSize, channels };
  const key = provenance.key === null ? null : readSystemBKeyFile(join(REPO_DIR, provenance.key.file), expected);
  if (key !== null && key.transform !== (metrics.transform as SystemBTransform)) throw new Error(`${name}: its key set is a ${key.transform} key, the run is ${metrics.transform}`);
  const wrongKeys = provenance.wrongKeys === null ? [] : readSystemBKeyListFile(join(REPO_DIR, provenance.wrongKeys.file), expected).slice(0, provenance.wrongKeys.count);
  return {
    name,
    dir,
    transform: metrics.transform,
    metrics,
    provenance,
    weights,
    ciOutputs: readSafetensorsFile(join(dir, 'ci-outputs.safetensors')).tensors,
    key,
    wrongKeys,
  };
}
