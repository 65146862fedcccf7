// 节点监控与所有权证明（nodes.en.ts 的中文版，键相同）。
import type { nodesEn } from './nodes.en';

export const nodesZh: Record<keyof typeof nodesEn, string> = {
  'help.claimnode': '证明你拥有某台 io.net 设备（在设备名称中放入验证码）',
  'claimnode.usage': '用法：/claimnode <io.net 设备 ID>',
  'claimnode.only_ionet':
    '设备名称验证只适用于 io.net 设备（小写 UUID）。Nosana 节点或 Akash 提供者请用 /link 绑定网络显示的钱包，或运行心跳代理。',
  'claimnode.code':
    '要证明 io.net 设备 {node} 属于你，请把它重命名，使名称包含 {code}（例如 "my-rig {code}"）。我们会在下一次轮询时读取名称，大约 {minutes} 分钟内。验证码 60 分钟内有效；确认后可以改回原名。',
  'claimnode.already': '设备 {node} 已经证明属于你。',
  'claimnode.busy': '设备 {node} 待处理的所有权验证太多，请一小时后再试。',
  'claimnode.button': '证明它属于我',
  'claimnode.proven':
    '所有权已证明：io.net 设备 {node} 的名称中包含你的验证码，它现在属于你（工单、积分和争议）。你可以把名称改回去。',
  'claimnode.lost':
    'io.net 设备 {node} 已被他人认领：对方把我们的验证码放进了设备名称。你仍在监控它并会收到它的提醒。如有错误，请用 /support 提交工单。',
  'addnode.watch.shared':
    '节点 {node} 已由其他人持有；你也在监控它。{network} 关于它的提醒只发给你。要认领为你的节点：/claimnode {node}。',
  'addnode.watch.shared.again': '你已经通过 {network} 监控 {node}。',
  'addnode.watch.proof.ionet':
    '你正在监控它；要认领为你拥有的节点（工单、积分、争议），请在 io.net 设备名称中放入验证码（/claimnode {node}），或运行下面的心跳代理。',
  'addnode.simulated':
    '节点 {node} 是模拟节点：由模拟器（NODE_SOURCE=simulator）发送心跳，无需安装或运行任何东西。',
  'nodes.watching': '{node}（监控中）',
};
