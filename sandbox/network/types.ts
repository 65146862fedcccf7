// The node record of the reference network API (the shape notifier/sources/poller.ts reads), exactly
// as it travels on the wire. Adapters for real networks map onto this shape.

export type NodeStatus = 'online' | 'offline';

export interface NetworkNode {
  id: string;
  status: NodeStatus;
  /** ISO-8601 time of the last heartbeat the network received from the node. */
  last_seen: string;
  /** Wallet that owns the node (a Solana address unless the fleet was given others). */
  owner_wallet: string;
  gpu_model: string;
  gpu_count: number;
  /** One NVIDIA-style `GPU-xxxxxxxx-...` UUID per GPU, as the driver reports them. */
  gpu_uuids: string[];
  /** Hash of the node's public IP: lets moderators see co-located nodes without the IP. */
  ip_hash: string;
  /** Measured FP32 TFLOPS per GPU (compare with the model's figure in gpu-models.ts). */
  benchmark_tflops: number;
}

export interface NodesPage {
  nodes: NetworkNode[];
  next_cursor: string | null;
}
