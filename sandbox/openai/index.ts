// Local OpenAI API emulator (chat completions, embeddings, models) for tests and the demo.
export {
  startOpenAISandbox,
  DEFAULT_MODELS,
  type ChatErrorReply,
  type ChatHandler,
  type ChatReply,
  type ChatRequest,
  type FailureSpec,
  type OpenAISandbox,
  type OpenAISandboxOptions,
} from './openai-sandbox';
export { DONT_KNOW, defaultChatReply, groundedAnswer } from './default-chat';
export { cosineSimilarity, hashedEmbedding } from './hashed-embedding';
