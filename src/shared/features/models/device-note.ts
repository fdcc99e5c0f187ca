/**
 * Why an execution provider was not used, in one line for people. The runtime's own text stays
 * available as `native` (the Models screen shows it behind a disclosure); a text this file does
 * not recognise gives a generic line, never a wrong reason.
 */

export interface DeviceNote {
  /** "CUDA: provider not installed (…)". */
  line: string;
  /** The runtime's message, as it came. */
  native: string;
}

const DEVICE_NAMES: Record<string, string> = {
  cpu: 'CPU',
  cuda: 'CUDA',
  webgpu: 'WebGPU',
  dml: 'DirectML',
  coreml: 'Core ML',
};

function why(device: string, text: string): string {
  if (/backend not found|no available backend/i.test(text)) return 'not available in this build or on this system';
  if (/adapter/i.test(text)) return 'no adapter found (no usable GPU or driver)';
  if (device === 'cuda' && /failed to load|cannot open shared object|providers_shared|providers_cuda/i.test(text))
    return 'provider not installed (npm rebuild onnxruntime-node with internet access)';
  if (/libcudart|libcudnn|libcublas/i.test(text)) return 'the CUDA or cuDNN libraries were not found';
  if (/out of memory/i.test(text)) return 'out of GPU memory';
  if (/not supported|unsupported/i.test(text)) return 'not supported for this model';
  return 'could not start (details below)';
}

/** One line for a note "provider: runtime message" as the rescore reports it. */
export function deviceNote(note: string): DeviceNote {
  const m = note.match(/^([a-z]+): ([\s\S]*)$/);
  if (!m || !(m[1]! in DEVICE_NAMES)) return { line: note, native: note };
  const device = m[1]!;
  return { line: `${DEVICE_NAMES[device]}: ${why(device, m[2]!)}`, native: m[2]! };
}
