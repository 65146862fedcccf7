// Every feature module of the process, indexed once: commands by Telegram name and by
// Discord path, buttons/modals by id prefix, holders in order. Both adapters build their
// menus and route their input from here; a clash between two modules fails at start-up.
import type {
  ButtonDecl,
  CommandDecl,
  DialogueDecl,
  DiscordPlacement,
  FeatureModule,
  ModalDecl,
  TextHolder,
} from '../../core/feature';
import type { MessageKey } from '../../core/i18n';

export interface DiscordLeaf {
  feature: FeatureModule;
  command: CommandDecl;
  placement: DiscordPlacement;
}

export interface DiscordTop {
  name: string;
  descriptionKey: MessageKey;
  /** A top-level command, or a group of subcommands. */
  leaf?: DiscordLeaf;
  subcommands?: Map<string, DiscordLeaf>;
}

const NAME = /^[a-z0-9_]{1,32}$/;
const FEATURE_ID = /^[a-z][a-z0-9_-]{0,15}$/;

export class FeatureRegistry {
  readonly modules: readonly FeatureModule[];
  /** Telegram command name → owner. */
  private readonly byName = new Map<string, { feature: FeatureModule; command: CommandDecl }>();
  private readonly byPrefix = new Map<string, FeatureModule>();
  readonly discordTree = new Map<string, DiscordTop>();
  readonly holders: ReadonlyArray<{ feature: FeatureModule; holder: TextHolder }>;

  constructor(modules: readonly FeatureModule[]) {
    this.modules = modules;
    const groups = new Map<string, MessageKey>();
    for (const m of modules) {
      if (!FEATURE_ID.test(m.id)) throw new Error(`feature id "${m.id}" must match ${FEATURE_ID}`);
      for (const prefix of [m.id, ...(m.aliases ?? [])]) {
        const other = this.byPrefix.get(prefix);
        if (other) throw new Error(`id prefix "${prefix}" claimed by both ${other.id} and ${m.id}`);
        this.byPrefix.set(prefix, m);
      }
      for (const g of m.discordGroups ?? []) groups.set(g.name, g.descriptionKey);
    }
    for (const m of modules) {
      for (const c of m.commands ?? []) {
        if (!NAME.test(c.name)) throw new Error(`command name "${c.name}" must match ${NAME}`);
        if (this.byName.has(c.name)) throw new Error(`command /${c.name} declared twice`);
        this.byName.set(c.name, { feature: m, command: c });
        const params = c.params ?? [];
        params.forEach((p, i) => {
          if (!NAME.test(p.discordName ?? p.name)) throw new Error(`/${c.name}: bad parameter ${p.name}`);
          if (p.rest && i !== params.length - 1) throw new Error(`/${c.name}: rest parameter must be last`);
        });
        this.placeDiscord(m, c, groups);
      }
    }
    this.holders = modules
      .flatMap((feature) => (feature.holders ?? []).map((holder) => ({ feature, holder })))
      .sort((a, b) => a.holder.order - b.holder.order);
  }

  private placeDiscord(m: FeatureModule, c: CommandDecl, groups: Map<string, MessageKey>) {
    if (c.discord === false) return;
    const placements: readonly DiscordPlacement[] = Array.isArray(c.discord)
      ? c.discord
      : [(c.discord as DiscordPlacement | undefined) ?? {}];
    for (const placement of placements) {
      const name = placement.name ?? c.name;
      const leaf: DiscordLeaf = { feature: m, command: c, placement };
      if (!placement.group) {
        if (this.discordTree.has(name)) throw new Error(`Discord /${name} declared twice`);
        this.discordTree.set(name, { name, descriptionKey: c.descriptionKey, leaf });
        continue;
      }
      const key = groups.get(placement.group);
      if (!key) throw new Error(`/${c.name}: Discord group "${placement.group}" is not declared`);
      const top = this.discordTree.get(placement.group) ?? {
        name: placement.group,
        descriptionKey: key,
        subcommands: new Map<string, DiscordLeaf>(),
      };
      if (!top.subcommands) throw new Error(`Discord /${placement.group} is both a command and a group`);
      if (top.subcommands.has(name)) throw new Error(`Discord /${placement.group} ${name} declared twice`);
      top.subcommands.set(name, leaf);
      this.discordTree.set(placement.group, top);
    }
  }

  /** Every command, in module order (for /help and the Telegram menu). */
  commands(): CommandDecl[] {
    return this.modules.flatMap((m) => [...(m.commands ?? [])]);
  }

  command(name: string) {
    return this.byName.get(name) ?? null;
  }

  /** A used slash command → its owner and named arguments. */
  resolveSlash(
    name: string,
    subcommand: string | null,
    getOption: (name: string) => string | null,
  ): { feature: FeatureModule; command: CommandDecl; args: Record<string, string> } | null {
    const top = this.discordTree.get(name);
    const leaf = top?.leaf ?? (subcommand ? top?.subcommands?.get(subcommand) : undefined);
    if (!leaf) return null;
    const args: Record<string, string> = { ...(leaf.placement.fixed ?? {}) };
    for (const p of leaf.command.params ?? []) {
      if (leaf.placement.fixed && p.name in leaf.placement.fixed) continue;
      const v = getOption(p.discordName ?? p.name);
      if (v !== null && v !== undefined) args[p.name] = v;
    }
    return { feature: leaf.feature, command: leaf.command, args };
  }

  feature(prefix: string): FeatureModule | null {
    return this.byPrefix.get(prefix) ?? null;
  }

  button(m: FeatureModule, action: string): ButtonDecl | null {
    return m.buttons?.find((b) => b.action === action) ?? null;
  }

  modal(m: FeatureModule, action: string): ModalDecl | null {
    return m.modals?.find((b) => b.action === action) ?? null;
  }

  dialogue(featureId: string, name: string): { feature: FeatureModule; decl: DialogueDecl } | null {
    const feature = this.modules.find((m) => m.id === featureId);
    const decl = feature?.dialogues?.find((d) => d.name === name);
    return feature && decl ? { feature, decl } : null;
  }
}

/** Splits a Telegram argument string into the command's named parameters. */
export function parseArgs(command: CommandDecl, raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = raw.trim();
  for (const p of command.params ?? []) {
    if (!rest) break;
    if (p.rest) {
      out[p.name] = rest;
      rest = '';
      break;
    }
    const m = /^(\S+)\s*([\s\S]*)$/.exec(rest);
    if (!m) break;
    out[p.name] = m[1]!;
    rest = m[2] ?? '';
  }
  return out;
}
