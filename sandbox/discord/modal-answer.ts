// What a user's modal submit carries: the `components` mirroring the modal's layout
// (action rows or labels), checked against each field's limits, and uploaded files.
import { ComponentType } from 'discord-api-types/v10';
import { snowflake } from './ids';
import type { SandboxState } from './state';
import type { ModalRecord } from './types';

/** A file a user uploads in a modal's File Upload field. */
export interface UploadedFile {
  filename: string;
  contentType?: string;
  size?: number;
}

/** Modal field values: text inputs take a string, selects inside labels take string[]. */
export type ModalValues = Record<string, string | string[] | UploadedFile[]>;

type ModalComponent = {
  type: number;
  id?: number;
  custom_id?: string;
  required?: boolean;
  min_length?: number;
  max_length?: number;
  label?: string;
  components?: ModalComponent[];
  component?: ModalComponent;
  options?: { value: string }[];
  min_values?: number;
  max_values?: number;
};

export const origin0 = (state: SandboxState, modal: ModalRecord) =>
  state.interactions.get(modal.interactionId)?.channelId ?? '0';

/** The submitted `components`, mirroring the modal's layout (action rows or labels). */
export function modalAnswer(
  modal: ModalRecord,
  values: ModalValues,
  base: string,
  channelId: string,
): { components: unknown[]; attachments: Record<string, unknown> } {
  const seen = new Set<string>();
  const attachments: Record<string, unknown> = {};
  const answer = (input: ModalComponent) => {
    const id = input.custom_id!;
    seen.add(id);
    const given = values[id];
    if (input.type === ComponentType.FileUpload) {
      // Discord uploads the files, then sends their ids in `values` and the attachments in `resolved`.
      const files = (Array.isArray(given) ? given : []).filter(
        (f): f is UploadedFile => typeof f === 'object',
      );
      if (given !== undefined && files.length !== (given as unknown[]).length)
        throw new Error(`modal field "${id}" is a file upload; give files`);
      const min = input.min_values ?? 1;
      const max = input.max_values ?? 1;
      if ((input.required ?? true) && files.length < Math.max(1, min))
        throw new Error(`modal field "${id}" is required`);
      if (files.length > max) throw new Error(`modal field "${id}" takes at most ${max} file(s)`);
      const ids = files.map((f) => {
        const aid = snowflake();
        const url = `${base}/attachments/${channelId}/${aid}/${encodeURIComponent(f.filename)}`;
        attachments[aid] = {
          id: aid,
          filename: f.filename,
          ...(f.contentType ? { content_type: f.contentType } : {}),
          size: f.size ?? 1024,
          url,
          proxy_url: url,
        };
        return aid;
      });
      return {
        type: input.type,
        ...(input.id !== undefined ? { id: input.id } : {}),
        custom_id: id,
        values: ids,
      };
    }
    if (input.type === ComponentType.TextInput) {
      const value = typeof given === 'string' ? given : '';
      if (Array.isArray(given)) throw new Error(`modal field "${id}" is a text input; give a string`);
      if ((input.required ?? true) && !value) throw new Error(`modal field "${id}" is required`);
      if (value && input.min_length !== undefined && value.length < input.min_length)
        throw new Error(`modal field "${id}" needs at least ${input.min_length} characters`);
      if (input.max_length !== undefined && value.length > input.max_length)
        throw new Error(`modal field "${id}" allows at most ${input.max_length} characters`);
      return { type: input.type, ...(input.id !== undefined ? { id: input.id } : {}), custom_id: id, value };
    }
    if (Array.isArray(given) && given.some((g) => typeof g !== 'string'))
      throw new Error(`modal field "${id}" is a select; give option values`);
    const picked = given === undefined ? [] : ([] as string[]).concat(given as string | string[]);
    if ((input.required ?? true) && !picked.length) throw new Error(`modal field "${id}" is required`);
    return {
      type: input.type,
      ...(input.id !== undefined ? { id: input.id } : {}),
      custom_id: id,
      values: picked,
    };
  };
  const out: unknown[] = [];
  for (const c of modal.components as unknown as ModalComponent[]) {
    if (c.type === ComponentType.ActionRow) {
      out.push({
        type: c.type,
        ...(c.id !== undefined ? { id: c.id } : {}),
        components: (c.components ?? []).map(answer),
      });
    } else if (c.type === ComponentType.Label && c.component) {
      out.push({ type: c.type, ...(c.id !== undefined ? { id: c.id } : {}), component: answer(c.component) });
    }
  }
  const unknown = Object.keys(values).filter((k) => !seen.has(k));
  if (unknown.length)
    throw new Error(
      `modal "${modal.custom_id}" has no field(s) ${unknown.join(', ')} (fields: ${[...seen].join(', ')})`,
    );
  return { components: out, attachments };
}
