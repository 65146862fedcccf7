// A declared modal as a Discord modal: each field a Label holding a text input, a string
// select or a File Upload (Discord allows five).
import {
  FileUploadBuilder,
  LabelBuilder,
  ModalBuilder,
  StringSelectMenuBuilder,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import type { Args, ModalDecl } from '../../core/feature';
import { t, type Locale } from '../../core/i18n';

export const MODAL_MAX_FIELDS = 5;

export function buildModal(
  decl: ModalDecl,
  customId: string,
  locale: Locale,
  prefill: Args = {},
): ModalBuilder {
  const modal = new ModalBuilder().setCustomId(customId).setTitle(t(locale, decl.titleKey).slice(0, 45));
  const labels = decl.fields.slice(0, MODAL_MAX_FIELDS).map((f) => {
    const label = new LabelBuilder().setLabel(t(locale, f.labelKey).slice(0, 45));
    if (f.kind === 'select') {
      const select = new StringSelectMenuBuilder()
        .setCustomId(f.name)
        .setRequired(f.required ?? true)
        .setMinValues(f.required === false ? 0 : 1)
        .setMaxValues(1)
        .addOptions(
          f.options.map((o) => ({
            label: (o.labelKey ? t(locale, o.labelKey) : o.value).slice(0, 100),
            value: o.value,
            ...(prefill[f.name] === o.value ? { default: true } : {}),
          })),
        );
      return label.setStringSelectMenuComponent(select);
    }
    if (f.kind === 'file') {
      const upload = new FileUploadBuilder()
        .setCustomId(f.name)
        .setRequired(f.required ?? true)
        .setMinValues(f.required === false ? 0 : 1)
        .setMaxValues(Math.min(10, f.maxFiles ?? 1));
      return label.setFileUploadComponent(upload);
    }
    const input = new TextInputBuilder()
      .setCustomId(f.name)
      .setStyle(f.style === 'paragraph' ? TextInputStyle.Paragraph : TextInputStyle.Short)
      .setRequired(f.required ?? true);
    if (f.minLength) input.setMinLength(f.minLength);
    if (f.maxLength) input.setMaxLength(Math.min(4000, f.maxLength));
    if (f.placeholderKey) input.setPlaceholder(t(locale, f.placeholderKey).slice(0, 100));
    if (prefill[f.name]) input.setValue(prefill[f.name]!.slice(0, 4000));
    return label.setTextInputComponent(input);
  });
  return modal.addLabelComponents(...labels);
}
