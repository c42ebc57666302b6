// gRPC-Web through Envoy, as a browser app calls Marquee: @connectrpc/connect-web over fetch.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";

import { ErrorInfoSchema } from "../src/gen/google/rpc/error_details_pb.js";
import { Health, HealthCheckResponse_ServingStatus } from "../src/gen/grpc_health/v1/health_pb.js";
import { AuthService, Role } from "../src/gen/marquee/auth/v1/auth_pb.js";
import { AdsService } from "../src/gen/marquee/ads/v1/ads_pb.js";
import { badRequest, createMarqueeTransport, errorInfo, errorReason, retryDelayMs } from "../src/index.js";
import { gatewayUrl, PASSWORD, uniqueEmail } from "./env.js";

const transport = () => createGrpcWebTransport({ baseUrl: gatewayUrl(), useBinaryFormat: true, defaultTimeoutMs: 10_000 });

describe("gRPC-Web through the gateway", () => {
  test("unary: GetAuthConfig", async () => {
    const auth = createClient(AuthService, transport());
    const config = await auth.getAuthConfig({});
    assert.equal(config.issuer, "marquee");
    assert.equal(config.audience, "marquee");
    assert.ok((config.passwordPolicy?.minLength ?? 0) > 0, "a password policy is published");
    assert.ok(config.accessTokenTtl && config.accessTokenTtl.seconds > 0n, "access tokens have a lifetime");
  });

  test("unary: Register, then GetUser users/me with the bearer token in headers", async () => {
    const auth = createClient(AuthService, transport());
    const email = uniqueEmail("web");
    const registered = await auth.register({ email, password: PASSWORD, displayName: "Web Test" });
    const token = registered.tokens?.accessToken ?? "";
    assert.ok(token.split(".").length === 3, "the access token is a JWT");
    assert.equal(registered.user?.email, email);

    const { user } = await auth.getUser({ name: "users/me" }, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(user?.email, email);
    assert.equal(user?.name, registered.user?.name);
    assert.equal(user?.displayName, "Web Test");
    assert.equal(user?.role, Role.USER);

    // The same call through the package's transport, which adds the header itself.
    const signedIn = createClient(AuthService, createMarqueeTransport({ baseUrl: gatewayUrl(), accessToken: () => token }));
    const again = await signedIn.getUser({ name: "users/me" });
    assert.equal(again.user?.email, email);
    // A header set on the call wins over the transport's token.
    const overridden = await signedIn.getUser({ name: "users/me" }, { headers: { authorization: "Bearer not-a-jwt" } }).then(
      () => assert.fail("a bad token was accepted"),
      (e: unknown) => ConnectError.from(e),
    );
    assert.equal(overridden.code, Code.Unauthenticated);
    assert.equal(errorReason(overridden), "TOKEN_INVALID");
  });

  test("error: GetUser without a token is Unauthenticated with ErrorInfo TOKEN_MISSING", async () => {
    const auth = createClient(AuthService, transport());
    const error = await auth.getUser({ name: "users/me" }).then(
      () => assert.fail("GetUser without a token succeeded"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ConnectError, `expected a ConnectError, got ${String(error)}`);
    assert.equal(error.code, Code.Unauthenticated);
    // Decoded from grpc-status-details-bin (a google.rpc.Status) by the library.
    const [info] = error.findDetails(ErrorInfoSchema);
    assert.equal(info?.reason, "TOKEN_MISSING");
    assert.ok(info?.domain.startsWith("marquee."), `domain ${info?.domain}`);
    assert.equal(errorReason(error), "TOKEN_MISSING");
    assert.deepEqual(errorInfo(error), info);
  });

  test("error details: a weak password carries BadRequest field violations", async () => {
    const auth = createClient(AuthService, transport());
    const error = await auth.register({ email: uniqueEmail("weak"), password: "short" }).then(
      () => assert.fail("Register with a weak password succeeded"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ConnectError);
    assert.equal(error.code, Code.InvalidArgument);
    assert.equal(errorReason(error), "WEAK_PASSWORD");
    const violations = badRequest(error)?.fieldViolations ?? [];
    assert.ok(violations.length > 0, "at least one field violation");
    assert.ok(violations.every((v) => v.field === "password" && v.reason === "WEAK_PASSWORD"), JSON.stringify(violations));
  });

  test("error details: repeated failed logins hit RATE_LIMITED with RetryInfo", async () => {
    const auth = createClient(AuthService, transport());
    const email = uniqueEmail("limited");
    let limited: ConnectError | undefined;
    for (let attempt = 0; attempt < 12 && !limited; attempt++) {
      try {
        await auth.login({ email, password: PASSWORD });
        assert.fail("Login of an unknown account succeeded");
      } catch (e) {
        assert.ok(e instanceof ConnectError, String(e));
        if (e.code === Code.ResourceExhausted) {
          limited = e;
        } else {
          assert.equal(e.code, Code.Unauthenticated);
          assert.equal(errorReason(e), "INVALID_CREDENTIALS");
        }
      }
    }
    assert.ok(limited, "Login was never rate limited");
    assert.equal(errorReason(limited), "RATE_LIMITED");
    assert.ok(["account", "client"].includes(errorInfo(limited)?.metadata["scope"] ?? ""), "ErrorInfo.metadata.scope");
    assert.ok((retryDelayMs(limited) ?? 0) > 0, "RetryInfo.retry_delay says when to retry");
  });

  test("error: an incomplete request to a served contract answers InvalidArgument with ErrorInfo", async () => {
    // SelectAd is a public RPC; without a placement it is refused before any ad is chosen.
    const ads = createClient(AdsService, transport());
    const error = await ads.selectAd({}).then(
      () => assert.fail("SelectAd without a placement succeeded"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ConnectError);
    assert.equal(error.code, Code.InvalidArgument);
    assert.ok(errorReason(error), "ErrorInfo.reason is set");
  });

  // Watch never ends on its own: read the first status, then abort the signal and let the loop
  // finish (it throws ConnectError Canceled). timeoutMs 0: no deadline for a long-lived stream.
  async function firstStatusThenAbort(service: string) {
    const health = createClient(Health, transport());
    const controller = new AbortController();
    const statuses: HealthCheckResponse_ServingStatus[] = [];
    let ended: unknown;
    try {
      for await (const response of health.watch({ service }, { signal: controller.signal, timeoutMs: 0 })) {
        statuses.push(response.status);
        controller.abort();
      }
    } catch (e) {
      ended = e;
    }
    return { statuses, ended };
  }

  test("server stream: Health.Watch sends SERVING, then the client aborts", async () => {
    const { statuses, ended } = await firstStatusThenAbort("");
    assert.deepEqual(statuses, [HealthCheckResponse_ServingStatus.SERVING]);
    assert.ok(ended instanceof ConnectError, `expected a ConnectError, got ${String(ended)}`);
    assert.equal(ended.code, Code.Canceled);
  });

  test("server stream: Health.Watch of a service answers per service (SERVING / SERVICE_UNKNOWN)", async () => {
    const auth = await firstStatusThenAbort(AuthService.typeName);
    assert.deepEqual(auth.statuses, [HealthCheckResponse_ServingStatus.SERVING]);
    const unknown = await firstStatusThenAbort("no.such.v1.Service");
    assert.deepEqual(unknown.statuses, [HealthCheckResponse_ServingStatus.SERVICE_UNKNOWN]);
    assert.ok(unknown.ended instanceof ConnectError && unknown.ended.code === Code.Canceled);
  });
});
