// Test doubles for the JavaScript client: a virtual clock and a scriptable WebSocket. Node 20, no packages.
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * client.js as an ES module. It lives among static resources, where no package.json says "module", and
 * Node 20 reads a .js file there as CommonJS: import a .mjs copy.
 */
export async function loadClient() {
  const source = fileURLToPath(new URL("../../main/resources/META-INF/resources/v1/client.js", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "streamgate-client-"));
  const copy = join(dir, "client.mjs");
  copyFileSync(source, copy);
  try {
    return await import(pathToFileURL(copy).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** setTimeout/clearTimeout on virtual time: advance(ms) runs what falls due, in order. */
export class FakeClock {
  constructor(start = 1_800_000_000_000) {
    this.time = start;
    this.timers = new Map();
    this.nextId = 1;
    this.setTimeout = (fn, ms) => {
      const id = this.nextId++;
      this.timers.set(id, { at: this.time + Math.max(0, ms || 0), fn });
      return id;
    };
    this.clearTimeout = (id) => this.timers.delete(id);
    this.now = () => this.time;
  }

  /** Advances time, running due timers and letting promises settle between them. */
  async advance(ms) {
    const end = this.time + ms;
    for (;;) {
      await settle();
      let next = null;
      for (const [id, t] of this.timers) {
        if (t.at <= end && (next === null || t.at < next[1].at)) next = [id, t];
      }
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = end;
    await settle();
  }

  /** The delay until the earliest pending timer, or null. */
  nextDelay() {
    let min = null;
    for (const t of this.timers.values()) if (min === null || t.at < min) min = t.at;
    return min === null ? null : min - this.time;
  }
}

/** Lets pending promise callbacks (the client's async token fetch) run. */
export async function settle() {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A WebSocket whose server side the test plays. Every instance is recorded in FakeSocket.all. */
export class FakeSocket {
  static all = [];

  static reset() {
    FakeSocket.all = [];
  }

  static get last() {
    return FakeSocket.all[FakeSocket.all.length - 1];
  }

  constructor(url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.sent = [];
    this.closedByClient = null;
    this.onmessage = this.onclose = this.onerror = null;
    FakeSocket.all.push(this);
  }

  send(text) {
    this.sent.push(JSON.parse(text));
  }

  close(code, reason) {
    this.closedByClient = { code, reason };
  }

  /** The token the client offered in Sec-WebSocket-Protocol. */
  get token() {
    return decodeURIComponent(this.protocols[1]).replace("quarkus-http-upgrade#Authorization#Bearer ", "");
  }

  /** Frames of one type the client sent. */
  sentOf(type) {
    return this.sent.filter((f) => f.type === type);
  }

  receive(frame) {
    this.onmessage({ data: JSON.stringify(frame) });
  }

  welcome(clock, lifetimeMs = 3_600_000) {
    this.receive({ type: "welcome", connection: "c" + FakeSocket.all.length, tenant: "t", sub: "alice",
      expires_at: clock.now() + lifetimeMs, heartbeat_ms: 25000 });
  }

  /** Answers every subscribe sent so far (and not yet answered) with 'subscribed'. */
  confirmSubscribes(extra = {}) {
    this.answered = this.answered || new Set();
    for (const f of this.sentOf("subscribe")) {
      if (this.answered.has(f.id)) continue;
      this.answered.add(f.id);
      const recovered = Boolean(f.since);
      this.receive({ type: "subscribed", id: f.id, channel: f.channel, recovered,
        cursor: f.since || "E.3.1.99", ...extra });
    }
  }

  event(channel, offset, data = {}) {
    this.receive({ type: "event", channel, cursor: "E.3.1." + offset, ts: 1, data });
  }

  serverClose(code, reason = "") {
    this.onclose({ code, reason });
  }
}

/** A JWT-shaped token (unsigned) whose exp the client reads to know when to fetch another. */
export function fakeToken(name, expSeconds) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return b64({ alg: "RS256" }) + "." + b64({ sub: name, exp: expSeconds }) + ".sig";
}
