import type { MethodSpec } from '../api';
import { callbackMethods } from './callbacks';
import { chatMethods } from './chats';
import { commandMethods } from './commands';
import { fileMethods } from './files';
import { messageMethods } from './messages';
import { updateMethods } from './updates';

export const allMethods: MethodSpec[] = [
  ...updateMethods,
  ...messageMethods,
  ...fileMethods,
  ...chatMethods,
  ...commandMethods,
  ...callbackMethods,
];
