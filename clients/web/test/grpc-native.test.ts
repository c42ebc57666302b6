// Native gRPC straight to the server's port with @grpc/grpc-js, as a Node service would call it.
// The messages are the generated ones (@bufbuild/protobuf), so grpc-js needs no .proto at run time.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type DescMethod,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";

import { ErrorInfoSchema } from "../src/gen/google/rpc/error_details_pb.js";
import { StatusSchema } from "../src/gen/google/rpc/status_pb.js";
import { Health, HealthCheckResponse_ServingStatus } from "../src/gen/grpc_health/v1/health_pb.js";
import { AuthService } from "../src/gen/marquee/auth/v1/auth_pb.js";
import { grpcAddr } from "./env.js";

type UnaryMethod<I extends DescMessage, O extends DescMessage> = DescMethod & { methodKind: "unary"; input: I; output: O };

/** One unary call of a generated method over a grpc-js channel, as a promise. */
function unary<I extends DescMessage, O extends DescMessage>(
  client: grpc.Client,
  method: UnaryMethod<I, O>,
  request: MessageInitShape<I>,
  metadata: grpc.Metadata = new grpc.Metadata(),
): Promise<MessageShape<O>> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      `/${method.parent.typeName}/${method.name}`,
      (message: MessageShape<I>) => Buffer.from(toBinary(method.input, message)),
      (bytes: Buffer) => fromBinary(method.output, bytes),
      create(method.input, request),
      metadata,
      { deadline: Date.now() + 10_000 },
      (error, response) => (error ? reject(error) : resolve(response as MessageShape<O>)),
    );
  });
}

describe("native gRPC with @grpc/grpc-js", () => {
  let client: grpc.Client;

  before(() => {
    client = new grpc.Client(grpcAddr(), grpc.credentials.createInsecure());
  });

  after(() => client.close());

  test("unary: GetAuthConfig", async () => {
    const config = await unary(client, AuthService.method.getAuthConfig, {});
    assert.equal(config.issuer, "marquee");
    assert.equal(config.audience, "marquee");
    assert.ok((config.passwordPolicy?.minLength ?? 0) > 0);
  });

  test("unary: Health/Check answers SERVING for the server and for AuthService", async () => {
    for (const service of ["", AuthService.typeName]) {
      const response = await unary(client, Health.method.check, { service });
      assert.equal(response.status, HealthCheckResponse_ServingStatus.SERVING, `health of "${service}"`);
    }
  });

  test("error: GetUser without a token is UNAUTHENTICATED with ErrorInfo in grpc-status-details-bin", async () => {
    const error = await unary(client, AuthService.method.getUser, { name: "users/me" }).then(
      () => assert.fail("GetUser without a token succeeded"),
      (e: grpc.ServiceError) => e,
    );
    assert.equal(error.code, grpc.status.UNAUTHENTICATED);
    const [raw] = error.metadata.get("grpc-status-details-bin");
    assert.ok(raw instanceof Buffer, "the server sends google.rpc.Status details");
    const status = fromBinary(StatusSchema, raw);
    assert.equal(status.code, grpc.status.UNAUTHENTICATED);
    const [info] = status.details.map((detail) => anyUnpack(detail, ErrorInfoSchema)).filter((i) => i !== undefined);
    assert.equal(info?.reason, "TOKEN_MISSING");
  });
});
