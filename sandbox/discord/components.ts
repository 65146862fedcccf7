// Message components as the emulator looks them up: any component by custom_id in a message's
// tree (rows, sections, containers), and which types are selects.
import { ComponentType } from 'discord-api-types/v10';

export type AnyComponent = {
  type: number;
  custom_id?: string;
  disabled?: boolean;
  options?: { value: string }[];
  min_values?: number;
  max_values?: number;
  [k: string]: unknown;
};

/** Finds a component with this custom_id anywhere in a message's component tree. */
export function findComponent(components: unknown, customId: string): AnyComponent | undefined {
  const all = allComponents(components);
  return all.find((c) => c.custom_id === customId);
}

export function allComponents(components: unknown): AnyComponent[] {
  const out: AnyComponent[] = [];
  const visit = (c: unknown) => {
    if (Array.isArray(c)) return c.forEach(visit);
    if (!c || typeof c !== 'object') return;
    const comp = c as AnyComponent;
    if (typeof comp.type === 'number') out.push(comp);
    for (const k of ['components', 'accessory', 'component']) if (k in comp) visit(comp[k]);
  };
  visit(components);
  return out;
}

export const SELECT_TYPES = new Set<number>([
  ComponentType.StringSelect,
  ComponentType.UserSelect,
  ComponentType.RoleSelect,
  ComponentType.MentionableSelect,
  ComponentType.ChannelSelect,
]);
