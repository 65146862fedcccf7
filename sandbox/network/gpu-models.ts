// Real GPU models with their published peak throughput, for generating plausible fleets
// and for spotting fake cards: a node whose benchmark is far below its model's figure is
// probably a cheaper card reporting a better name.
//
// fp32: peak FP32 (non-tensor) TFLOPS. fp16: peak dense FP16 tensor TFLOPS (no sparsity,
// FP32 accumulate where the vendor lists both). Figures from the vendors' data sheets.

export interface GpuModelSpec {
  /** The name as `nvidia-smi` (or the OS) reports it, which is what networks display. */
  name: string;
  vramGb: number;
  fp32: number;
  fp16: number;
}

export const GPU_MODELS: readonly GpuModelSpec[] = [
  { name: 'NVIDIA GeForce RTX 4090', vramGb: 24, fp32: 82.6, fp16: 165.2 },
  { name: 'NVIDIA GeForce RTX 4080', vramGb: 16, fp32: 48.7, fp16: 97.5 },
  { name: 'NVIDIA GeForce RTX 3090', vramGb: 24, fp32: 35.6, fp16: 71 },
  { name: 'NVIDIA GeForce RTX 3080', vramGb: 10, fp32: 29.8, fp16: 59.5 },
  { name: 'NVIDIA RTX A6000', vramGb: 48, fp32: 38.7, fp16: 154.8 },
  { name: 'NVIDIA RTX 6000 Ada Generation', vramGb: 48, fp32: 91.1, fp16: 364.2 },
  { name: 'NVIDIA L40S', vramGb: 48, fp32: 91.6, fp16: 362 },
  { name: 'NVIDIA A10', vramGb: 24, fp32: 31.2, fp16: 125 },
  { name: 'Tesla T4', vramGb: 16, fp32: 8.1, fp16: 65 },
  { name: 'Tesla V100-SXM2-32GB', vramGb: 32, fp32: 15.7, fp16: 125 },
  { name: 'NVIDIA A100-SXM4-80GB', vramGb: 80, fp32: 19.5, fp16: 312 },
  { name: 'NVIDIA H100 80GB HBM3', vramGb: 80, fp32: 67, fp16: 989.4 },
  { name: 'NVIDIA H100 PCIe', vramGb: 80, fp32: 51.2, fp16: 756 },
  { name: 'Apple M2 Ultra', vramGb: 192, fp32: 27.2, fp16: 27.2 },
];

// Short names people type ("4090", "a100 80gb", "h100") map onto the table entries.
const normalize = (s: string) =>
  s
    .toLowerCase()
    .replace(/\b(nvidia|geforce|tesla|generation)\b/g, '')
    .replace(/[^a-z0-9]/g, '');

/** The table entry for a model name, tolerant of vendor prefixes, case and punctuation. */
export function findGpuModel(name: string): GpuModelSpec | undefined {
  const key = normalize(name);
  if (!key) return undefined;
  return (
    GPU_MODELS.find((m) => normalize(m.name) === key) ??
    GPU_MODELS.find((m) => normalize(m.name).startsWith(key)) ??
    GPU_MODELS.find((m) => normalize(m.name).includes(key))
  );
}

/** Ratio of a measured FP32 benchmark to the model's peak (below ~0.5 is suspicious). */
export function benchmarkRatio(gpuModel: string, benchmarkTflops: number): number | undefined {
  const spec = findGpuModel(gpuModel);
  return spec ? benchmarkTflops / spec.fp32 : undefined;
}
