// Hand-written helpers around the generated client in ./gen (never edited by hand).
//
// The generated modules hold the messages and service descriptors of every
// Marquee contract; import them from "@marquee/client/gen/<path>_pb", for
// example "@marquee/client/gen/marquee/auth/v1/auth_pb". This module adds what
// every app needs on top: a gRPC-Web transport that sends the access token, and
// typed access to the google.rpc error details the services attach.
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import {
  BadRequestSchema,
  ErrorInfoSchema,
  RetryInfoSchema,
  type BadRequest,
  type ErrorInfo,
  type RetryInfo,
} from "./gen/google/rpc/error_details_pb.js";

export { Code, ConnectError, createClient } from "@connectrpc/connect";
export type { CallOptions, Client, Interceptor, Transport } from "@connectrpc/connect";

/** Returns the current access token, or nothing when signed out. May be async (e.g. refresh first). */
export type AccessTokenSource = () => string | undefined | null | Promise<string | undefined | null>;

export interface MarqueeTransportOptions {
  /** The gateway's origin (Envoy), e.g. "https://api.example.com" or "/" for the same origin. */
  baseUrl: string;
  /** Called before every call; a token it returns is sent as `Authorization: Bearer <token>`. */
  accessToken?: AccessTokenSource;
  /** Default deadline for every call in milliseconds (sent as grpc-timeout). */
  defaultTimeoutMs?: number;
  /** More interceptors, run after the one that adds the token. */
  interceptors?: Interceptor[];
  /** A fetch to use instead of globalThis.fetch (for example to set `credentials`). */
  fetch?: typeof globalThis.fetch;
}

/** An interceptor that sends `Authorization: Bearer <token>` unless the call already sets it. */
export function bearerAuth(accessToken: AccessTokenSource): Interceptor {
  return (next) => async (req) => {
    if (!req.header.has("authorization")) {
      const token = await accessToken();
      if (token) {
        req.header.set("authorization", `Bearer ${token}`);
      }
    }
    return next(req);
  };
}

/** A gRPC-Web transport (binary format) to Marquee through its Envoy gateway. */
export function createMarqueeTransport(options: MarqueeTransportOptions): Transport {
  const interceptors = [...(options.accessToken ? [bearerAuth(options.accessToken)] : []), ...(options.interceptors ?? [])];
  return createGrpcWebTransport({
    baseUrl: options.baseUrl,
    useBinaryFormat: true,
    interceptors,
    defaultTimeoutMs: options.defaultTimeoutMs,
    fetch: options.fetch,
  });
}

function details<Desc extends DescMessage>(error: unknown, schema: Desc): MessageShape<Desc>[] {
  return ConnectError.from(error).findDetails(schema);
}

/** The google.rpc.ErrorInfo of a failed call: `reason` (e.g. "TOKEN_MISSING"), `domain`, `metadata`. */
export function errorInfo(error: unknown): ErrorInfo | undefined {
  return details(error, ErrorInfoSchema)[0];
}

/** The stable reason of a failed call ("EMAIL_TAKEN", "RATE_LIMITED", ...), or undefined without ErrorInfo. */
export function errorReason(error: unknown): string | undefined {
  return errorInfo(error)?.reason;
}

/** The google.rpc.BadRequest field violations of an INVALID_ARGUMENT error. */
export function badRequest(error: unknown): BadRequest | undefined {
  return details(error, BadRequestSchema)[0];
}

/** How long to wait before retrying (google.rpc.RetryInfo), in milliseconds. */
export function retryDelayMs(error: unknown): number | undefined {
  const info: RetryInfo | undefined = details(error, RetryInfoSchema)[0];
  if (!info?.retryDelay) {
    return undefined;
  }
  return Number(info.retryDelay.seconds) * 1000 + Math.round(info.retryDelay.nanos / 1e6);
}
