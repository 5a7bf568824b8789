// The client's SSE fallback against a scripted WebSocket, EventSource and fetch on a virtual clock: when it
// switches, what it sends where, that cursors carry over, and that it tries the WebSocket again. Run: node --test src/test/js
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { FakeClock, FakeSocket, fakeToken, loadClient, settle } from "./fakes.mjs";

const { connect } = await loadClient();

/** An EventSource whose server side the test plays. */
class FakeEventSource {
  static all = [];
  constructor(url) {
    this.url = url;
    this.closed = false;
    this.onmessage = this.onerror = null;
    FakeEventSource.all.push(this);
  }
  close() {
    this.closed = true;
  }
  receive(frame) {
    this.onmessage({ data: JSON.stringify(frame) });
  }
}

let clock;
let posts;

/** fetch: tickets are issued (201), commands accepted (202); every request is recorded. */
async function fakeFetch(url, init) {
  posts.push({ url, auth: init.headers.Authorization, body: JSON.parse(init.body) });
  if (url.endsWith("/ticket")) {
    return { status: 201, json: async () => ({ ticket: "tk" + posts.length, stream: "s1", expires_at: 0 }) };
  }
  return { status: 202, json: async () => ({ accepted: true }) };
}

beforeEach(() => {
  FakeSocket.reset();
  FakeEventSource.all = [];
  clock = new FakeClock();
  posts = [];
});

function client(options = {}) {
  return connect({
    url: "wss://gw.example/v1/ws",
    token: async () => fakeToken("t", Math.floor(clock.now() / 1000) + 3600),
    WebSocket: FakeSocket,
    EventSource: FakeEventSource,
    fetch: fakeFetch,
    timers: clock,
    now: clock.now,
    random: () => 0.5,
    ...options,
  });
}

function welcome(source) {
  source.receive({ type: "welcome", connection: "sse-1", tenant: "t", sub: "alice", expires_at: clock.now() + 3_600_000, heartbeat_ms: 15000 });
}

test("after two failed WebSocket handshakes it goes over SSE with a ticket, the same API and the same cursors", async () => {
  const sg = client();
  const events = [];
  sg.subscribe("inventory:sku-1", (e) => events.push(e.data.n));
  await settle();
  FakeSocket.last.serverClose(1006);
  await clock.advance(2000);
  FakeSocket.last.serverClose(1006);
  await clock.advance(5000);
  assert.equal(FakeSocket.all.length, 2, "no third WebSocket attempt");
  assert.equal(sg.transport, "sse");
  assert.equal(posts[0].url, "https://gw.example/v1/sse/ticket");
  assert.match(posts[0].auth, /^Bearer /);
  const source = FakeEventSource.all[0];
  assert.equal(source.url, "https://gw.example/v1/sse?ticket=tk1");
  assert.ok(!source.url.includes(posts[0].auth.slice(7)), "the token is not in the URL");
  welcome(source);
  await settle();
  assert.equal(sg.state, "open");
  const subscribe = posts.find((p) => p.body.type === "subscribe");
  assert.equal(subscribe.url, "https://gw.example/v1/sse/streams/s1/commands");
  source.receive({ type: "subscribed", id: subscribe.body.id, channel: "inventory:sku-1", recovered: false, cursor: "c.1.0.4" });
  source.receive({ type: "event", channel: "inventory:sku-1", cursor: "c.1.0.5", ts: 1, data: { n: 5 } });
  assert.deepEqual(events, [5]);

  // The server ends the stream (a restart): the client takes a new ticket and resubscribes from its cursor.
  source.receive({ type: "close", code: 1012, reason: "service restart" });
  assert.ok(source.closed, "the browser is not left to reconnect on its own");
  await clock.advance(2000);
  const again = FakeEventSource.all[1];
  welcome(again);
  await settle();
  const resubscribe = posts.filter((p) => p.body.type === "subscribe").at(-1);
  assert.equal(resubscribe.body.since, "c.1.0.5");
});

test("a WebSocket handshake that never completes falls back at once; later the WebSocket is tried again", async () => {
  const sg = client({ connectTimeoutMs: 5000, wsRetryMs: 60000 });
  await settle();
  await clock.advance(5000);
  await clock.advance(2000);
  assert.equal(sg.transport, "sse");
  welcome(FakeEventSource.all[0]);
  await settle();
  await clock.advance(61000);
  assert.equal(sg.transport, "websocket");
  assert.equal(FakeSocket.all.length, 2, "the WebSocket was tried again");
  FakeSocket.last.serverClose(1006); // still blocked: one failure and it is back on SSE
  await clock.advance(5000);
  assert.equal(sg.transport, "sse");
  assert.equal(FakeEventSource.all.length, 2);
});

test("without any WebSocket it starts on SSE", async () => {
  const sg = client({ WebSocket: undefined });
  await settle();
  if (globalThis.WebSocket) return; // Node 22+ has one: the constructor would take it
  assert.equal(sg.transport, "sse");
  assert.equal(FakeEventSource.all.length, 1);
});
