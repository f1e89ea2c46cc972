/** Any refusal to read or use a dataset. The message is one sentence naming the input at fault. */
export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  constructor(message: string) {
    super(message);
  }
}
