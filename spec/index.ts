/** The executable specification: literal, slow, obviously correct. Imports nothing from src/. */
export * from './image.ts';
export * from './blocks.ts';
export * from './blockEncryption.ts';
export * from './patchEmbedding.ts';
export * from './modelTransform.ts';
export * from './convmixer.ts';
export * from './keySpace.ts';
export * from './orthogonal.ts';
export * from './resnet.ts';
