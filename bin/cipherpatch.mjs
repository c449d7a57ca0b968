#!/usr/bin/env node
// The cipherpatch command. The sources are TypeScript; tsx loads them as they are.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
