import fs from 'node:fs';
import path from 'node:path';

/**
 * A real, tiny sentence-embedding model for the transformers provider, written by the test:
 * a BERT WordPiece tokenizer over a small vocabulary and an ONNX graph (one Gather: token
 * embeddings, then the pipeline's mean pooling). Words of one topic share a strong dimension,
 * so texts on the same topic embed close together. The ONNX protobuf is written by hand.
 */
export const TINY_MODEL = 'dindex-test/tiny-topics';
export const TINY_DIMENSIONS = 16;

const TOPICS: Record<string, number> = {
  volcano: 0, lava: 0, eruption: 0, magma: 0,
  satellite: 1, orbit: 1, rocket: 1, launch: 1,
  bread: 2, yeast: 2, flour: 2, oven: 2,
  bird: 3, migration: 3, feathers: 3, nest: 3,
};
const WORDS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', ...Object.keys(TOPICS), 'the', 'of', 'and', 'notes', 'about', 'a'];

/** Writes the model under `<modelDir>/dindex-test/tiny-topics`, where transformers.js looks for it. */
export function writeTinyModel(modelDir: string): void {
  const dir = path.join(modelDir, TINY_MODEL);
  fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'onnx', 'model.onnx'), onnxModel());
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'bert', architectures: ['BertModel'], hidden_size: TINY_DIMENSIONS, vocab_size: WORDS.length }));
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({
    tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: 512, cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]',
  }));
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const cls = { SpecialToken: { id: '[CLS]', type_id: 0 } };
  const sep = { SpecialToken: { id: '[SEP]', type_id: 0 } };
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify({
    version: '1.0', truncation: null, padding: null,
    added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map((t, i) => special(i, t)),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [cls, { Sequence: { id: 'A', type_id: 0 } }, sep],
      pair: [cls, { Sequence: { id: 'A', type_id: 0 } }, sep, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(WORDS.map((w, i) => [w, i])) },
  }));
}

/** ModelProto { ir_version 8, opset 13, graph: last_hidden_state = Gather(embeddings, input_ids) }. */
function onnxModel(): Buffer {
  const embeddings = new Float32Array(WORDS.length * TINY_DIMENSIONS);
  let seed = 7;
  const noise = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed / 2147483648 - 0.5) * 0.3;
  };
  WORDS.forEach((word, i) => {
    if (i < 4) return; // special tokens embed to zero
    for (let d = 0; d < TINY_DIMENSIONS; d++) embeddings[i * TINY_DIMENSIONS + d] = noise() + (TOPICS[word] !== undefined && d % 4 === TOPICS[word] ? 1 : 0);
  });
  const dim = (param: string | number): Buffer => bytes(1, typeof param === 'number' ? int(1, param) : str(2, param));
  const valueInfo = (name: string, elemType: number, dims: Buffer[]): Buffer =>
    Buffer.concat([str(1, name), bytes(2, bytes(1, Buffer.concat([int(1, elemType), bytes(2, Buffer.concat(dims))])))]);
  const node = Buffer.concat([str(1, 'embeddings'), str(1, 'input_ids'), str(2, 'last_hidden_state'), str(3, 'gather'), str(4, 'Gather')]);
  const FLOAT = 1;
  const INT64 = 7;
  const initializer = Buffer.concat([int(1, WORDS.length), int(1, TINY_DIMENSIONS), int(2, FLOAT), str(8, 'embeddings'), bytes(9, Buffer.from(embeddings.buffer))]);
  const graph = Buffer.concat([
    bytes(1, node), str(2, 'tiny-topics'), bytes(5, initializer),
    bytes(11, valueInfo('input_ids', INT64, [dim('batch'), dim('sequence')])),
    bytes(12, valueInfo('last_hidden_state', FLOAT, [dim('batch'), dim('sequence'), dim(TINY_DIMENSIONS)])),
  ]);
  return Buffer.concat([int(1, 8), str(2, 'dindex-test'), bytes(7, graph), bytes(8, Buffer.concat([str(1, ''), int(2, 13)]))]);
}

// Protocol Buffers wire format: varints and length-delimited fields are all this model needs.
function varint(value: number): Buffer {
  const out: number[] = [];
  let v = value;
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v > 0) byte |= 0x80;
    out.push(byte);
  } while (v > 0);
  return Buffer.from(out);
}
function int(field: number, value: number): Buffer {
  return Buffer.concat([varint(field << 3), varint(value)]);
}
function bytes(field: number, value: Buffer): Buffer {
  return Buffer.concat([varint((field << 3) | 2), varint(value.length), value]);
}
function str(field: number, value: string): Buffer {
  return bytes(field, Buffer.from(value, 'utf8'));
}
