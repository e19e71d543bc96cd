export { htmlToText } from './html-to-text.ts';
export { allowedMetadataKeys, allowlistMetadata, enrichMetadata } from './metadata.ts';
export { countTokens, type TextChunk, TokenTextSplitter } from './token-splitter.ts';
