import { randomUUID } from 'node:crypto';
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorBody, ErrorCode } from './errors.ts';

/** Request headers larger than this (Node's limit, 16 KB by default) are refused with a 431. */
export const MAX_HEADER_BYTES = maxHeaderSize;

/**
 * Node's HTTP parser refuses some requests before Koa sees them (headers too large, malformed requests,
 * a request that took too long to arrive). Answer those in the API's error shape too, as Node would: 431,
 * 408 or 400.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message]: [number, ErrorCode, string] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', `request headers are limited to ${MAX_HEADER_BYTES} bytes`]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'the request took too long to arrive']
        : [400, 'validation_failed', 'malformed HTTP request'];
  const body: ErrorBody = { error: { code, message, requestId: randomUUID() } };
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
