import { describe, expect, it } from 'vitest';
import { modelNameFromFile } from './model-name';

describe('modelNameFromFile', () => {
  it('leaves out the upload prefix and the extension', () => {
    expect(modelNameFromFile('20261207T194018-21c291-sentiment-retrained.onnx')).toBe('sentiment-retrained');
    expect(modelNameFromFile('20261207T194018-21c291-clf-v3.ONNX')).toBe('clf-v3');
  });

  it('keeps names that only look alike', () => {
    expect(modelNameFromFile('clf-v3.onnx')).toBe('clf-v3');
    expect(modelNameFromFile('20261207-21c291-model.onnx')).toBe('20261207-21c291-model');
    expect(modelNameFromFile('20261207T194018-21c291-')).toBe('20261207T194018-21c291-');
    expect(modelNameFromFile('bert-folder')).toBe('bert-folder');
  });
});
