// Expected throughput of common GPU models, to spot a card that benchmarks far below the
// model it claims (a cheaper card, or a slice of one, reporting a better name).
//
// fp32 = peak FP32 (non-tensor) TFLOPS from each vendor's data sheet:
// - GeForce RTX 4090 / 4080: NVIDIA Ada Lovelace architecture whitepaper v2.1, appendix A
//   (https://images.nvidia.com/aem-dam/Solutions/geforce/ada/nvidia-ada-gpu-architecture.pdf)
// - GeForce RTX 3090 / 3080: NVIDIA Ampere GA102 whitepaper, table 9
//   (https://www.nvidia.com/content/PDF/nvidia-ampere-ga-102-gpu-architecture-whitepaper-v2.pdf)
// - RTX A6000, RTX 6000 Ada, L40S, A10: product data sheets on nvidia.com
//   (https://www.nvidia.com/en-us/design-visualization/rtx-a6000/, …/rtx-6000/,
//   https://www.nvidia.com/en-us/data-center/l40s/, …/products/a10-gpu/)
// - Tesla T4, V100, A100, H100: data-centre data sheets on nvidia.com
//   (https://www.nvidia.com/en-us/data-center/tesla-t4/, …/v100/, …/a100/, …/h100/)
// - Apple M2 Ultra: Apple newsroom, June 2023 (27.2 TFLOPS for the 76-core GPU).
// A real benchmark lands somewhat under the peak (80-97 %); under half is suspicious.

export interface GpuSpec {
  name: string;
  fp32: number;
  source: string;
}

const ADA = 'NVIDIA Ada whitepaper';
const AMPERE = 'NVIDIA GA102 whitepaper';
const SHEET = 'NVIDIA data sheet';

export const GPU_SPECS: readonly GpuSpec[] = [
  { name: 'NVIDIA GeForce RTX 4090', fp32: 82.6, source: ADA },
  { name: 'NVIDIA GeForce RTX 4080', fp32: 48.7, source: ADA },
  { name: 'NVIDIA GeForce RTX 3090', fp32: 35.6, source: AMPERE },
  { name: 'NVIDIA GeForce RTX 3080', fp32: 29.8, source: AMPERE },
  { name: 'NVIDIA RTX A6000', fp32: 38.7, source: SHEET },
  { name: 'NVIDIA RTX 6000 Ada Generation', fp32: 91.1, source: SHEET },
  { name: 'NVIDIA L40S', fp32: 91.6, source: SHEET },
  { name: 'NVIDIA A10', fp32: 31.2, source: SHEET },
  { name: 'Tesla T4', fp32: 8.1, source: SHEET },
  { name: 'Tesla V100-SXM2-32GB', fp32: 15.7, source: SHEET },
  { name: 'NVIDIA A100-SXM4-80GB', fp32: 19.5, source: SHEET },
  { name: 'NVIDIA H100 80GB HBM3', fp32: 67, source: SHEET },
  { name: 'NVIDIA H100 PCIe', fp32: 51.2, source: SHEET },
  { name: 'Apple M2 Ultra', fp32: 27.2, source: 'Apple newsroom 2023-06' },
];

// Vendor prefixes, case and punctuation vary between drivers and networks ("RTX 4090",
// "NVIDIA GeForce RTX 4090", "a100 80gb").
const normalize = (s: string) =>
  s
    .toLowerCase()
    .replace(/\b(nvidia|geforce|tesla|generation)\b/g, '')
    .replace(/[^a-z0-9]/g, '');

export function findGpuSpec(name: string | null | undefined): GpuSpec | undefined {
  const key = normalize(name ?? '');
  if (!key) return undefined;
  return (
    GPU_SPECS.find((m) => normalize(m.name) === key) ??
    GPU_SPECS.find((m) => normalize(m.name).startsWith(key)) ??
    GPU_SPECS.find((m) => normalize(m.name).includes(key))
  );
}
