import { describe, expect, it } from 'vitest';
import { deviceNote } from './device-note';

// The messages ONNX Runtime gives on a machine without GPUs (onnxruntime-node on Linux).
describe('deviceNote', () => {
  it('says why each provider was not used, keeping the runtime text', () => {
    const cuda = deviceNote('cuda: OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library');
    expect(cuda).toEqual({
      line: 'CUDA: provider not installed (npm rebuild onnxruntime-node with internet access)',
      native: 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library',
    });
    expect(
      deviceNote(
        'webgpu: /onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters',
      ).line,
    ).toBe('WebGPU: no adapter found (no usable GPU or driver)');
    expect(deviceNote('dml: no available backend found. ERR: [dml] backend not found.').line).toBe(
      'DirectML: not available in this build or on this system',
    );
    expect(deviceNote('coreml: something new').line).toBe('Core ML: could not start (details below)');
  });

  it('passes other notes through', () => {
    expect(deviceNote('already rescored')).toEqual({ line: 'already rescored', native: 'already rescored' });
  });
});
