// Tests of the JavaScript client's logic against a scripted socket and a virtual clock: reconnect and
// backoff, cursor bookkeeping, close codes, token refresh, acks, requests. Run: node --test src/test/js
import { test, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { FakeClock, FakeSocket, fakeToken, loadClient, settle } from "./fakes.mjs";

const { connect, CloseCodes } = await loadClient();

let clock;
let tokens;

beforeEach(() => {
  FakeSocket.reset();
  clock = new FakeClock();
  tokens = 0;
});

/** A client on fakes; the token callback counts its calls and returns a token valid for an hour. */
async function open(options = {}) {
  const client = connect({
    url: "ws://gw/v1/ws",
    token: async () => fakeToken("t" + ++tokens, Math.floor(clock.now() / 1000) + 3600),
    WebSocket: FakeSocket,
    timers: clock,
    now: clock.now,
    random: () => 0.5,
    ...options,
  });
  await settle();
  return client;
}

async function openWelcomed(options) {
  const client = await open(options);
  FakeSocket.last.welcome(clock);
  return client;
}

test("connects with the browser form of the token and the client id", async () => {
  const client = await open({ clientId: "laptop-1" });
  const socket = FakeSocket.last;
  assert.equal(socket.url, "ws://gw/v1/ws?client_id=laptop-1");
  assert.equal(socket.protocols[0], "streamgate.v1");
  assert.match(decodeURIComponent(socket.protocols[1]), /^quarkus-http-upgrade#Authorization#Bearer ey/);
  assert.equal(client.state, "connecting");
  socket.welcome(clock);
  assert.equal(client.state, "open");
});

test("a subscribe made before the connection opens is sent once welcomed", async () => {
  const client = await open();
  const sub = client.subscribe("inventory:sku-1", () => {});
  assert.equal(FakeSocket.last.sent.length, 0);
  FakeSocket.last.welcome(clock);
  assert.deepEqual(FakeSocket.last.sentOf("subscribe").map((f) => [f.channel, f.since, f.resume]),
    [["inventory:sku-1", undefined, undefined]]);
  FakeSocket.last.confirmSubscribes();
  assert.equal(sub.state, "subscribed");
  assert.equal(sub.cursor, "E.3.1.99", "keeps the current position from 'subscribed'");
});

test("after a drop it reconnects and resubscribes every channel from its last cursor", async () => {
  const client = await openWelcomed();
  const got = { a: [], b: [] };
  const a = client.subscribe("inventory:sku-1", (e) => got.a.push(e.cursor));
  client.subscribe("orders:alice", (e) => got.b.push(e.cursor), { since: "E.3.1.40" });
  FakeSocket.last.confirmSubscribes();
  FakeSocket.last.event("inventory:sku-1", 100);
  FakeSocket.last.event("inventory:sku-1", 101);
  FakeSocket.last.event("orders:alice", 41);

  const states = [];
  client.on("state", (s) => states.push(s));
  FakeSocket.last.serverClose(1006);
  assert.equal(client.state, "reconnecting");
  assert.equal(a.state, "pending");
  await clock.advance(1000);
  assert.equal(FakeSocket.all.length, 2, "one new connection");
  FakeSocket.last.welcome(clock);
  const resubscribes = Object.fromEntries(FakeSocket.last.sentOf("subscribe").map((f) => [f.channel, f.since]));
  assert.deepEqual(resubscribes, { "inventory:sku-1": "E.3.1.101", "orders:alice": "E.3.1.41" });
  assert.deepEqual(states, ["reconnecting", "open"]);

  const infos = [];
  a.on("subscribed", (i) => infos.push(i));
  FakeSocket.last.confirmSubscribes();
  assert.equal(infos[0].recovered, true);
  assert.equal(infos[0].resubscribed, true);
  assert.equal(infos[0].lost, false);
  FakeSocket.last.event("inventory:sku-1", 102);
  assert.deepEqual(got.a, ["E.3.1.100", "E.3.1.101", "E.3.1.102"]);
});

test("a position the server cannot honour is surfaced as lost", async () => {
  const client = await openWelcomed();
  const infos = [];
  client.subscribe("inventory:sku-1", () => {}, { since: "OLD.3.1.5", onSubscribed: (i) => infos.push(i) });
  const f = FakeSocket.last.sentOf("subscribe")[0];
  FakeSocket.last.receive({ type: "subscribed", id: f.id, channel: f.channel, recovered: false, reason: "epoch", cursor: "NEW.3.1.7" });
  assert.deepEqual({ recovered: infos[0].recovered, reason: infos[0].reason, lost: infos[0].lost }, { recovered: false, reason: "epoch", lost: true });
  assert.equal(client._subs.get("inventory:sku-1").cursor, "NEW.3.1.7", "continues from the new stream's position");
});

test("backoff grows exponentially with jitter, is capped, and resets once welcomed", async () => {
  let r = 0;
  const client = await open({ random: () => r, backoff: { initialMs: 100, maxMs: 1000, factor: 2 } });
  const delays = [];
  client.on("close", (c) => delays.push(c.reconnectIn));
  for (let i = 0; i < 6; i++) {
    r = i % 2; // alternate the two ends of the jitter range
    FakeSocket.last.serverClose(1006);
    await clock.advance(delays[delays.length - 1]);
  }
  // steps 100, 200, 400, 800, 1000, 1000; equal jitter: between half the step and the step
  assert.deepEqual(delays, [50, 200, 200, 800, 500, 1000]);
  FakeSocket.last.welcome(clock);
  r = 1;
  FakeSocket.last.serverClose(1006);
  assert.equal(delays[delays.length - 1], 100, "back to the first step");
});

test("4403, 1008, 4410 and 4411 end the client: no reconnect", async () => {
  const expected = { [CloseCodes.FORBIDDEN]: "forbidden", [CloseCodes.POLICY]: "policy",
    [CloseCodes.DISCONNECTED]: "disconnected_by_server", [CloseCodes.TOKEN_REVOKED]: "token_revoked" };
  for (const code of [CloseCodes.FORBIDDEN, CloseCodes.POLICY, CloseCodes.DISCONNECTED, CloseCodes.TOKEN_REVOKED]) {
    FakeSocket.reset();
    const client = await openWelcomed();
    const errors = [];
    client.on("error", (e) => errors.push(e.code));
    FakeSocket.last.serverClose(code, "no");
    assert.equal(client.state, "closed");
    await clock.advance(600_000);
    assert.equal(FakeSocket.all.length, 1, "never reconnects after " + code);
    assert.deepEqual(errors, [expected[code]]);
  }
});

test("4401 gets a new token first, then reconnects at once", async () => {
  const client = await openWelcomed();
  const first = FakeSocket.last.token;
  FakeSocket.last.serverClose(CloseCodes.TOKEN_EXPIRED, "token expired");
  await clock.advance(250);
  assert.equal(FakeSocket.all.length, 2);
  assert.equal(tokens, 2, "asked the callback again");
  assert.notEqual(FakeSocket.last.token, first);
  assert.equal(client.state, "reconnecting");
});

test("1012 and 4008 reconnect promptly, without growing backoff", async () => {
  for (const code of [CloseCodes.SERVICE_RESTART, CloseCodes.SLOW_CONSUMER]) {
    FakeSocket.reset();
    tokens = 0;
    const client = await openWelcomed({ random: () => 1 });
    const delays = [];
    client.on("close", (c) => delays.push(c.reconnectIn));
    FakeSocket.last.serverClose(code);
    await clock.advance(delays[0]);
    FakeSocket.last.welcome(clock);
    FakeSocket.last.serverClose(code);
    assert.ok(delays.every((d) => d <= 1000), code + " delays " + delays);
    assert.equal(tokens, 1, "the token is still good: no new one");
  }
});

test("a handshake that fails (a 401 looks like 1006) fetches a fresh token for the next attempt", async () => {
  await open();
  FakeSocket.last.serverClose(1006);
  await clock.advance(1000);
  assert.equal(tokens, 2);
});

test("a handshake without welcome is abandoned after connectTimeoutMs", async () => {
  const client = await open({ connectTimeoutMs: 5000 });
  await clock.advance(5000);
  assert.equal(client.state, "reconnecting");
  assert.ok(FakeSocket.all[0].closedByClient, "the hung socket was closed");
  await clock.advance(1000);
  assert.equal(FakeSocket.all.length, 2);
});

test("refreshes the token at 80% of its lifetime, again after each refresh, and at once on 'expiring'", async () => {
  const client = await open();
  FakeSocket.last.welcome(clock, 100_000);
  await clock.advance(79_000);
  assert.equal(FakeSocket.last.sentOf("refresh").length, 0);
  await clock.advance(1_000);
  const refresh = FakeSocket.last.sentOf("refresh");
  assert.equal(refresh.length, 1);
  assert.equal(refresh[0].token, FakeSocket.last.sent.at(-1).token);
  assert.equal(tokens, 2);
  const refreshed = [];
  client.on("refreshed", (r) => refreshed.push(r));
  FakeSocket.last.receive({ type: "refreshed", id: refresh[0].id, expires_at: clock.now() + 100_000 });
  assert.equal(refreshed.length, 1);
  await clock.advance(80_000);
  assert.equal(FakeSocket.last.sentOf("refresh").length, 2);
  const second = FakeSocket.last.sentOf("refresh")[1];
  FakeSocket.last.receive({ type: "refreshed", id: second.id, expires_at: clock.now() + 100_000 });
  FakeSocket.last.receive({ type: "expiring", expires_at: clock.now() + 60_000 });
  await settle();
  assert.equal(FakeSocket.last.sentOf("refresh").length, 3);
});

test("a gateway without refresh (unknown_type) is not asked again; 4401 then reconnects", async () => {
  await open();
  FakeSocket.last.welcome(clock, 100_000);
  await clock.advance(80_000);
  const refresh = FakeSocket.last.sentOf("refresh")[0];
  FakeSocket.last.receive({ type: "error", id: refresh.id, code: "unknown_type", message: "unknown command type 'refresh'" });
  await clock.advance(19_000);
  assert.equal(FakeSocket.last.sentOf("refresh").length, 1);
});

test("durable subscriptions resume on the server, ack coalesced cursors, and resubscribe with since", async () => {
  const client = await openWelcomed({ ackIntervalMs: 500 });
  client.subscribe("orders:alice", () => {}, { resume: true });
  const first = FakeSocket.last.sentOf("subscribe")[0];
  assert.equal(first.resume, true);
  assert.equal(first.since, undefined);
  FakeSocket.last.receive({ type: "subscribed", id: first.id, channel: "orders:alice", recovered: true, cursor: "E.3.1.10" });
  for (let o = 11; o <= 15; o++) {
    FakeSocket.last.event("orders:alice", o);
    await clock.advance(50);
  }
  await clock.advance(500);
  assert.deepEqual(FakeSocket.last.sentOf("ack"), [{ type: "ack", channel: "orders:alice", cursor: "E.3.1.15" }],
    "one ack for five events, of the newest cursor");

  FakeSocket.last.event("orders:alice", 16);
  FakeSocket.last.serverClose(1006); // before the ack timer fired
  await clock.advance(1000);
  FakeSocket.last.welcome(clock);
  const again = FakeSocket.last.sentOf("subscribe")[0];
  assert.equal(again.since, "E.3.1.16", "its own cursor is fresher than the server's");
  assert.equal(again.resume, undefined);
  assert.equal(FakeSocket.last.sentOf("ack").length, 0, "no ack before 'subscribed'");
  FakeSocket.last.confirmSubscribes();
  await clock.advance(500);
  assert.deepEqual(FakeSocket.last.sentOf("ack").map((f) => f.cursor), ["E.3.1.16"]);
});

test("a fresh durable start acks the new position; a gateway without acks is not sent more", async () => {
  const client = await openWelcomed();
  client.subscribe("orders:alice", () => {}, { resume: true });
  FakeSocket.last.confirmSubscribes({ recovered: false, cursor: "E.3.1.30" });
  await clock.advance(500);
  assert.deepEqual(FakeSocket.last.sentOf("ack").map((f) => f.cursor), ["E.3.1.30"]);
  FakeSocket.last.receive({ type: "error", code: "unknown_type", message: "unknown command type 'ack'" });
  FakeSocket.last.event("orders:alice", 31);
  await clock.advance(1000);
  assert.equal(FakeSocket.last.sentOf("ack").length, 1);
  assert.equal(client.state, "open");
});

test("rewind is asked on the first subscribe only; after a reconnect the subscription resumes from its cursor", async () => {
  const client = await openWelcomed();
  const got = [];
  const confirmations = [];
  const sub = client.subscribe("inventory:sku-1", (e) => got.push(e.cursor),
    { rewind: 3, onSubscribed: (info) => confirmations.push(info) });
  assert.deepEqual(FakeSocket.last.sentOf("subscribe").map((f) => [f.rewind, f.since, f.resume]), [[3, undefined, undefined]]);
  FakeSocket.last.confirmSubscribes({ cursor: "E.3.1.96", found: 3, complete: true });
  FakeSocket.last.event("inventory:sku-1", 97);
  FakeSocket.last.event("inventory:sku-1", 98);
  FakeSocket.last.event("inventory:sku-1", 99);
  assert.deepEqual(got, ["E.3.1.97", "E.3.1.98", "E.3.1.99"]);
  assert.equal(confirmations[0].found, 3);
  assert.equal(confirmations[0].complete, true);

  FakeSocket.last.serverClose(1006);
  await clock.advance(1000);
  FakeSocket.last.welcome(clock);
  assert.deepEqual(FakeSocket.last.sentOf("subscribe").map((f) => [f.rewind, f.since]), [[undefined, "E.3.1.99"]]);
  FakeSocket.last.confirmSubscribes();
  assert.equal(sub.state, "subscribed");
  assert.equal(confirmations[1].found, undefined);
  assert.equal(confirmations[1].lost, false);
});

test("a rewind whose reply never came is asked again after a reconnect; bad rewinds are refused at once", async () => {
  const client = await openWelcomed();
  client.subscribe("inventory:sku-2", () => {}, { rewind: 1 });
  FakeSocket.last.serverClose(1006);
  await clock.advance(1000);
  FakeSocket.last.welcome(clock);
  assert.deepEqual(FakeSocket.last.sentOf("subscribe").map((f) => [f.rewind, f.since]), [[1, undefined]]);
  for (const bad of [0, -2, 1.5, "3"]) {
    assert.throws(() => client.subscribe("inventory:x", () => {}, { rewind: bad }), TypeError);
  }
  assert.throws(() => client.subscribe("inventory:x", () => {}, { rewind: 2, since: "E.3.1.5" }), TypeError);
  assert.throws(() => client.subscribe("inventory:x", () => {}, { rewind: 2, resume: true }), TypeError);
});

test("a channel and its wildcard each get an event once; a repeated cursor is dropped", async () => {
  const client = await openWelcomed();
  const exact = [];
  const wild = [];
  client.subscribe("inventory:sku-1", (e) => exact.push(e.cursor));
  client.subscribe("inventory:*", (e) => wild.push(e.channel + "@" + e.cursor));
  FakeSocket.last.confirmSubscribes();
  // the server sends one frame per subscription
  FakeSocket.last.event("inventory:sku-1", 5);
  FakeSocket.last.event("inventory:sku-1", 5);
  FakeSocket.last.event("inventory:sku-2", 6);
  assert.deepEqual(exact, ["E.3.1.5"]);
  assert.deepEqual(wild, ["inventory:sku-1@E.3.1.5", "inventory:sku-2@E.3.1.6"]);
  assert.equal(client._subs.get("inventory:*").cursor, "E.3.1.6", "a wildcard resumes from its last event of any subject");
});

test("publish and presence resolve by id; requests made while reconnecting wait for the connection", async () => {
  const client = await openWelcomed();
  const published = client.publish("chat:room-1", { text: "hi" });
  const p = FakeSocket.last.sentOf("publish")[0];
  assert.deepEqual(p.data, { text: "hi" });
  FakeSocket.last.receive({ type: "published", id: p.id, cursor: "E.3.1.7" });
  assert.deepEqual(await published, { cursor: "E.3.1.7" });

  const refused = client.publish("chat:room-1", "x".repeat(10));
  const r = FakeSocket.last.sentOf("publish")[1];
  FakeSocket.last.receive({ type: "error", id: r.id, code: "rate_limited", message: "slow down" });
  await assert.rejects(refused, (e) => e.code === "rate_limited");

  FakeSocket.last.serverClose(1006);
  const members = client.presence("chat:room-1");
  await clock.advance(1000);
  FakeSocket.last.welcome(clock);
  const q = FakeSocket.last.sentOf("presence")[0];
  assert.equal(q.channel, "chat:room-1");
  FakeSocket.last.receive({ type: "presence", id: q.id, channel: "chat:room-1", members: [{ sub: "alice" }, { sub: "bob" }] });
  assert.deepEqual(await members, [{ sub: "alice" }, { sub: "bob" }]);
});

test("a publish in flight when the connection drops is rejected as disconnected; one that waits too long times out", async () => {
  const client = await openWelcomed({ requestTimeoutMs: 3000 });
  const inFlight = client.publish("chat:room-1", 1);
  FakeSocket.last.serverClose(1006);
  await assert.rejects(inFlight, (e) => e.code === "disconnected");
  const waiting = client.publish("chat:room-1", 2);
  const outcome = assert.rejects(waiting, (e) => e.code === "timeout");
  FakeSocket.last.serverClose(1006); // the reconnect attempt fails too
  await clock.advance(3000);
  await outcome;
});

test("join and leave reach the client and the subscription", async () => {
  const client = await openWelcomed();
  const seen = [];
  const sub = client.subscribe("chat:room-1", () => {});
  FakeSocket.last.confirmSubscribes();
  sub.on("join", (m) => seen.push("sub join " + m.sub));
  client.on("leave", (e) => seen.push("client leave " + e.member.sub + " " + e.channel));
  FakeSocket.last.receive({ type: "join", channel: "chat:room-1", member: { sub: "bob" } });
  FakeSocket.last.receive({ type: "leave", channel: "chat:room-1", member: { sub: "bob" } });
  assert.deepEqual(seen, ["sub join bob", "client leave bob chat:room-1"]);
});

test("a refused subscription ends; an internal error is retried", async () => {
  const client = await openWelcomed();
  const errors = [];
  const forbidden = client.subscribe("orders:bob", () => {}, { onError: (e) => errors.push(e.code) });
  const retried = client.subscribe("inventory:sku-1", () => {});
  const [f, g] = FakeSocket.last.sentOf("subscribe");
  FakeSocket.last.receive({ type: "error", id: f.id, code: "forbidden", message: "no" });
  FakeSocket.last.receive({ type: "error", id: g.id, code: "internal", message: "retry" });
  assert.deepEqual(errors, ["forbidden"]);
  assert.equal(forbidden.state, "closed");
  assert.equal(client._subs.has("orders:bob"), false);
  await clock.advance(2000);
  assert.equal(FakeSocket.last.sentOf("subscribe").filter((s) => s.channel === "inventory:sku-1").length, 2);
  assert.equal(retried.state, "pending");
});

test("a subscribe refused as rate_limited (subscribe churn) is retried, not ended", async () => {
  const client = await openWelcomed();
  const errors = [];
  const sub = client.subscribe("inventory:sku-1", () => {}, { onError: (e) => errors.push(e.code) });
  const [first] = FakeSocket.last.sentOf("subscribe");
  FakeSocket.last.receive({ type: "error", id: first.id, code: "rate_limited", message: "slow down" });
  assert.deepEqual(errors, ["rate_limited"]);
  assert.equal(sub.state, "pending");
  await clock.advance(2000);
  assert.equal(FakeSocket.last.sentOf("subscribe").length, 2, "sent again");
  FakeSocket.last.confirmSubscribes();
  assert.equal(sub.state, "subscribed");
});

test("a server-initiated 'subscribed' (the stream changed under the channel) is lost: true and moves the cursor", async () => {
  const client = await openWelcomed();
  const infos = [];
  const got = [];
  const sub = client.subscribe("inventory:sku-1", (e) => got.push(e.cursor), { onSubscribed: (i) => infos.push(i) });
  FakeSocket.last.confirmSubscribes();
  FakeSocket.last.event("inventory:sku-1", 100);
  FakeSocket.last.receive({ type: "subscribed", channel: "inventory:sku-1", recovered: false, reason: "epoch",
    cursor: "F.4.3.7" });
  assert.equal(infos.length, 2);
  assert.equal(infos[1].lost, true);
  assert.equal(infos[1].reason, "epoch");
  assert.equal(infos[1].resubscribed, true);
  assert.equal(sub.cursor, "F.4.3.7", "the next resubscribe continues in the new stream");
  FakeSocket.last.receive({ type: "event", channel: "inventory:sku-1", cursor: "F.4.3.8", ts: 1, data: {} });
  assert.deepEqual(got, ["E.3.1.100", "F.4.3.8"]);
  FakeSocket.last.serverClose(1006);
  await clock.advance(1000);
  FakeSocket.last.welcome(clock);
  assert.equal(FakeSocket.last.sentOf("subscribe")[0].since, "F.4.3.8");
  // One for a channel the client does not hold is ignored.
  FakeSocket.last.receive({ type: "subscribed", channel: "inventory:other", recovered: false, reason: "epoch", cursor: "F.4.3.9" });
  assert.equal(client._subs.has("inventory:other"), false);
});

test("a server-initiated unsubscribe (grant revoked) ends the subscription with its reason", async () => {
  const client = await openWelcomed();
  const ended = [];
  const sub = client.subscribe("orders:alice", () => {});
  sub.on("unsubscribed", (d) => ended.push(d.reason));
  FakeSocket.last.confirmSubscribes();
  FakeSocket.last.receive({ type: "unsubscribed", channel: "orders:alice", reason: "forbidden" });
  assert.deepEqual(ended, ["forbidden"]);
  FakeSocket.last.serverClose(1006);
  await clock.advance(1000);
  FakeSocket.last.welcome(clock);
  assert.equal(FakeSocket.last.sentOf("subscribe").length, 0, "not resubscribed");
});

test("a confirmed resume the server could not finish is subscribed again from the last cursor and reported lost", async () => {
  const client = await openWelcomed();
  const infos = [];
  const interruptions = [];
  const got = [];
  const sub = client.subscribe("inventory:sku-1", (e) => got.push(e.cursor), { since: "E.3.1.5", onSubscribed: (i) => infos.push(i) });
  sub.on("interrupted", (d) => interruptions.push(d.reason));
  const first = FakeSocket.last.sentOf("subscribe")[0];
  FakeSocket.last.receive({ type: "subscribed", id: first.id, channel: first.channel, recovered: true, cursor: "E.3.1.5" });
  FakeSocket.last.event("inventory:sku-1", 6);
  // Retention removed the rest of the history while it was being replayed.
  FakeSocket.last.receive({ type: "unsubscribed", channel: "inventory:sku-1", reason: "expired" });
  assert.deepEqual(interruptions, ["expired"]);
  assert.equal(sub.state, "pending");
  const again = FakeSocket.last.sentOf("subscribe").filter((f) => f.channel === "inventory:sku-1");
  assert.equal(again.length, 2, "subscribed again at once");
  assert.equal(again[1].since, got[0], "from the last cursor received");
  FakeSocket.last.receive({ type: "subscribed", id: again[1].id, channel: "inventory:sku-1", recovered: false, reason: "expired", cursor: "E.3.1.90" });
  assert.equal(sub.state, "subscribed");
  assert.deepEqual(infos.map((i) => [i.recovered, i.lost]), [[true, false], [false, true]]);
});

test("a resume that failed on the server (internal) is subscribed again after a pause", async () => {
  const client = await openWelcomed();
  const sub = client.subscribe("inventory:sku-2", () => {}, { since: "E.3.1.5" });
  FakeSocket.last.confirmSubscribes();
  FakeSocket.last.receive({ type: "unsubscribed", channel: "inventory:sku-2", reason: "internal" });
  assert.equal(sub.state, "pending");
  assert.equal(FakeSocket.last.sentOf("subscribe").length, 1, "not at once");
  await clock.advance(2000);
  assert.equal(FakeSocket.last.sentOf("subscribe").length, 2);
  assert.equal(client._subs.get("inventory:sku-2"), sub);
});

test("a subscription the server keeps failing with internal is subscribed again from its last cursor with growing backoff, reset by an event", async () => {
  // random 0.5: each pause is three quarters of the backoff step (1, 2, 4, 8 s, at most 8 s).
  const client = await openWelcomed({ backoff: { initialMs: 1000, maxMs: 8000, factor: 2 } });
  const interruptions = [];
  const sub = client.subscribe("inventory:sku-3", () => {}, { since: "E.3.1.5" });
  sub.on("interrupted", (d) => interruptions.push(d.reason));
  const subscribes = () => FakeSocket.last.sentOf("subscribe").filter((f) => f.channel === "inventory:sku-3");
  /** Fails the confirmed subscription with internal; returns after the next subscribe, and how long it took. */
  async function failAndTimeResubscribe() {
    FakeSocket.last.confirmSubscribes();
    const before = subscribes().length;
    FakeSocket.last.receive({ type: "unsubscribed", channel: "inventory:sku-3", reason: "internal" });
    assert.equal(sub.state, "pending");
    const start = clock.now();
    for (let waited = 0; subscribes().length === before; waited += 50) {
      assert.ok(waited < 20000, "subscribed again within 20 s");
      await clock.advance(50);
    }
    assert.equal(subscribes().length, before + 1, "one subscribe per failure");
    return clock.now() - start;
  }
  assert.deepEqual([await failAndTimeResubscribe(), await failAndTimeResubscribe(), await failAndTimeResubscribe(),
    await failAndTimeResubscribe(), await failAndTimeResubscribe()], [750, 1500, 3000, 6000, 6000]);
  assert.equal(subscribes().at(-1).since, "E.3.1.5", "from the last cursor");
  // Progress: an event arrives, so the next failure waits the first step again, and resumes after the event.
  FakeSocket.last.confirmSubscribes();
  FakeSocket.last.event("inventory:sku-3", 7);
  FakeSocket.last.receive({ type: "unsubscribed", channel: "inventory:sku-3", reason: "internal" });
  const before = subscribes().length;
  await clock.advance(749);
  assert.equal(subscribes().length, before);
  await clock.advance(1);
  assert.equal(subscribes().length, before + 1);
  assert.equal(subscribes().at(-1).since, "E.3.1.7");
  assert.equal(interruptions.length, 6);
  assert.ok(interruptions.every((r) => r === "internal"));
  // A subscribe answered with error internal backs off the same way (its counter went on from the failure above).
  FakeSocket.last.receive({ type: "error", id: subscribes().at(-1).id, code: "internal", message: "retry" });
  await clock.advance(1499);
  assert.equal(subscribes().length, before + 1);
  await clock.advance(1);
  assert.equal(subscribes().length, before + 2);
  assert.equal(client._subs.get("inventory:sku-3"), sub);
});

test("expired is resubscribed at once and forbidden ends the subscription, however many internal failures came before", async () => {
  const client = await openWelcomed({ backoff: { initialMs: 1000, maxMs: 8000, factor: 2 } });
  const sub = client.subscribe("inventory:sku-4", () => {}, { since: "E.3.1.5" });
  const ends = [];
  sub.on("unsubscribed", (d) => ends.push(d.reason));
  const subscribes = () => FakeSocket.last.sentOf("subscribe").filter((f) => f.channel === "inventory:sku-4");
  for (let i = 0; i < 3; i++) {
    FakeSocket.last.confirmSubscribes();
    FakeSocket.last.receive({ type: "unsubscribed", channel: "inventory:sku-4", reason: "internal" });
    await clock.advance(8000);
  }
  assert.equal(subscribes().length, 4);
  FakeSocket.last.confirmSubscribes();
  FakeSocket.last.receive({ type: "unsubscribed", channel: "inventory:sku-4", reason: "expired" });
  assert.equal(subscribes().length, 5, "at once after expired");
  FakeSocket.last.confirmSubscribes();
  FakeSocket.last.receive({ type: "unsubscribed", channel: "inventory:sku-4", reason: "forbidden" });
  assert.equal(sub.state, "closed");
  assert.deepEqual(ends, ["forbidden"]);
  await clock.advance(60000);
  assert.equal(subscribes().length, 5, "never again after forbidden");
});

test("unsubscribe sends unsubscribe and drops later events; close() acks, closes with 1000 and never reconnects", async () => {
  const client = await openWelcomed();
  const got = [];
  const sub = client.subscribe("inventory:sku-1", (e) => got.push(e.cursor));
  const durable = client.subscribe("orders:alice", () => {}, { resume: true });
  FakeSocket.last.confirmSubscribes({ recovered: true, cursor: "E.3.1.1" });
  sub.unsubscribe();
  assert.equal(FakeSocket.last.sentOf("unsubscribe")[0].channel, "inventory:sku-1");
  FakeSocket.last.event("inventory:sku-1", 3);
  assert.deepEqual(got, []);
  FakeSocket.last.event("orders:alice", 4);
  const socket = FakeSocket.last;
  client.close();
  assert.deepEqual(socket.sentOf("ack").map((a) => a.cursor), ["E.3.1.4"], "acked before closing");
  assert.equal(socket.closedByClient.code, 1000);
  assert.equal(client.state, "closed");
  assert.equal(durable.state, "closed");
  await clock.advance(600_000);
  assert.equal(FakeSocket.all.length, 1);
});

test("a listener that throws does not stop delivery to the others", async () => {
  const thrown = [];
  {
    const client = await openWelcomed({ onListenerError: (e) => thrown.push(e.message) });
    const got = [];
    client.on("subscribed", () => {
      throw new Error("app bug");
    });
    client.on("subscribed", () => got.push("second listener"));
    client.subscribe("inventory:sku-1", () => {
      throw new Error("handler bug");
    });
    client.subscribe("inventory:*", (e) => got.push(e.cursor));
    FakeSocket.last.confirmSubscribes();
    FakeSocket.last.event("inventory:sku-1", 9);
    assert.deepEqual(got, ["second listener", "second listener", "E.3.1.9"]);
    assert.deepEqual(thrown.sort(), ["app bug", "app bug", "handler bug"]);
  }
});

test("a token callback that fails is retried with backoff", async () => {
  let fail = true;
  const client = await open({
    token: async () => {
      tokens++;
      if (fail) throw new Error("auth service down");
      return fakeToken("ok", Math.floor(clock.now() / 1000) + 3600);
    },
  });
  const errors = [];
  client.on("error", (e) => errors.push(e.code));
  assert.equal(FakeSocket.all.length, 0);
  assert.equal(client.state, "reconnecting");
  fail = false;
  await clock.advance(1000);
  assert.equal(FakeSocket.all.length, 1);
  assert.equal(tokens, 2);
});
