/** Bad inputs of `cipherpatch keyspace` (see table.ts). */
import { type Row, badInputSuite } from './table.ts';

// --- issue 21, part B (item 21.3): every size has a clear limit, huge p_b as log2 and digits ----

export const ROWS_21B: Row[] = [
  {
    id: '21.3 keyspace: --block 1000 --channels 3 prints log2 and digit counts at once',
    argv: () => ['keyspace', '--block', '1000', '--channels', '3'],
    code: 0,
    // log10(3,000,000!) = 18,128,483.956… (Python's math.lgamma).
    stdout: /p_b > 65,536: the integers are too long to print[\s\S]*O_p = p_b! +≈ 2\^60221520\.\d\d, 18,128,484 digits[\s\S]*O {3}= O_p · O_f {7}≈ 2\^63221509\.\d\d, 19,031,571 digits/,
    timeoutMs: 30_000,
  },
  {
    id: '21.3 keyspace: one block size above the exact limit (p_b = 66,564) is not computed exactly',
    argv: () => ['keyspace', '--block', '129', '--channels', '4', '--json'],
    code: 0,
    stdout: /"blockLength": 66564,\s+"exact": false/,
    timeoutMs: 30_000,
  },
  {
    id: '21.3 keyspace: p_b beyond 2^32 is refused',
    argv: () => ['keyspace', '--block', '100000', '--channels', '3'],
    code: 1,
    stderr: /\[keyspace\.too-large\]: p_b = M²C = 100000²·3 = 30000000000 is larger than 4,294,967,296/,
    timeoutMs: 30_000,
  },
  {
    id: '21.3 keyspace: --block beyond a safe integer is a usage error',
    argv: () => ['keyspace', '--block', '99999999999999999999', '--channels', '3'],
    code: 2,
    stderr: /--block is too large: 99999999999999999999/,
    timeoutMs: 30_000,
  },
];

badInputSuite('keyspace: bad inputs (issue 21, part B)', ROWS_21B);
