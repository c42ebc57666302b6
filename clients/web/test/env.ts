// Where the server under test listens: set by scripts/node_tests.py (or by hand).
function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the tests through scripts/node_tests.py, or export it`);
  }
  return value;
}

/** Envoy's HTTP listener, e.g. http://127.0.0.1:8080 (JSON, gRPC-Web, gRPC). */
export const gatewayUrl = (): string => required("MARQUEE_GATEWAY_URL");

/** The gRPC server itself, host:port. */
export const grpcAddr = (): string => required("MARQUEE_GRPC_ADDR");

/** A fresh address for each registration, so runs never collide. */
export const uniqueEmail = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;

export const PASSWORD = "a long passphrase for tests";
