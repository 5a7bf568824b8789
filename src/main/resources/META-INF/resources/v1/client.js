/**
 * Streamgate JavaScript client: one dependency-free ES module, served by the gateway at /v1/client.js.
 *
 *   import { connect } from "https://rt.example.com/v1/client.js";
 *   const sg = connect({ url: "wss://rt.example.com/v1/ws", token: () => fetchMyToken() });
 *   sg.subscribe("inventory:sku-42", (event) => render(event.data), { onSubscribed: (s) => { if (s.lost) reload(); } });
 *
 * It keeps one WebSocket open: reconnects with exponential backoff and jitter, resubscribes every channel
 * from the last cursor it saw (so nothing is missed and nothing arrives twice), tells the app when a
 * position could not be honoured (`recovered: false`), refreshes the token before it expires, acks the
 * cursors of durable subscriptions and follows the close codes of docs/protocol.md. See docs/client.md.
 *
 * Where WebSockets do not get through (proxies that strip Upgrade, captive portals), it falls back by itself to
 * the gateway's Server-Sent Events transport (/v1/sse, docs/protocol.md "SSE transport") with the same API and
 * the same cursors, and tries the WebSocket again later.
 */

/** Close codes of the protocol (docs/protocol.md). */
export const CloseCodes = Object.freeze({
  NORMAL: 1000,
  POLICY: 1008,
  TOO_BIG: 1009,
  INTERNAL: 1011,
  SERVICE_RESTART: 1012,
  SLOW_CONSUMER: 4008,
  TOKEN_EXPIRED: 4401,
  FORBIDDEN: 4403,
  DISCONNECTED: 4410,
  TOKEN_REVOKED: 4411,
  TOO_MANY_CONNECTIONS: 4429,
});

const PROTOCOL = "streamgate.v1";
/** Close codes after which the client stops (state "closed") instead of reconnecting, with the error code it reports. */
const FINAL_CLOSES = new Map([
  [CloseCodes.FORBIDDEN, "forbidden"],
  [CloseCodes.POLICY, "policy"],
  [CloseCodes.DISCONNECTED, "disconnected_by_server"],
  [CloseCodes.TOKEN_REVOKED, "token_revoked"],
]);
/** Subscribe errors after which retrying cannot help: the subscription ends. */
const FINAL_SUBSCRIBE_ERRORS = new Set(["forbidden", "unknown_namespace", "too_many_subscriptions", "bad_request"]);
/**
 * Server-initiated `unsubscribed` reasons after which the subscription goes on: the server could not finish a
 * resume it had confirmed (`expired`: retention removed history while it was replayed; `internal`: reading it
 * failed). The client subscribes again from its last cursor; the reply then says what was lost.
 */
const RESUBSCRIBE_REASONS = new Set(["expired", "internal"]);
/** How many recent cursors a subscription remembers to drop a repeated event. */
const SEEN_CURSORS = 256;

/** A failed command or a refused connection: `code` is the protocol's error code or one of this client's. */
export class StreamgateError extends Error {
  constructor(code, message, details) {
    super(message || code);
    this.name = "StreamgateError";
    this.code = code;
    Object.assign(this, details);
  }
}

/** Minimal event emitter: a listener that throws never stops the others, nor the client. */
class Emitter {
  constructor(reportError) {
    this._listeners = new Map();
    this._reportError = reportError;
  }

  /** Adds a listener; returns a function that removes it. */
  on(type, listener) {
    if (!this._listeners.has(type)) this._listeners.set(type, new Set());
    this._listeners.get(type).add(listener);
    return () => this.off(type, listener);
  }

  off(type, listener) {
    const set = this._listeners.get(type);
    if (set) set.delete(listener);
  }

  _emit(type, ...args) {
    const set = this._listeners.get(type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (e) {
        this._reportError(e);
      }
    }
  }
}

/** Surfaces an app's bug (the console, window.onerror) without letting it break delivery to anyone else. */
function rethrowLater(e) {
  if (typeof globalThis.reportError === "function") globalThis.reportError(e);
  else setTimeout(() => {
    throw e;
  }, 0);
}

/**
 * Opens a client. Options:
 * - url: the gateway's WebSocket URL (wss://host/v1/ws)
 * - token: () => Promise<string> (or a string): asked whenever a token is needed (connecting,
 *   reconnecting after a failed handshake or a 4401, refreshing); cache in it as you like
 * - clientId: optional [A-Za-z0-9._-]{1,64}; one user's devices keep separate durable positions
 * - backoff: { initialMs = 500, maxMs = 30000, factor = 2 }
 * - ackIntervalMs = 500: at most one ack per durable channel per interval
 * - refreshAt = 0.8: refresh the token at this fraction of its lifetime
 * - requestTimeoutMs = 10000: how long publish/presence wait for a connection and a reply
 * - connectTimeoutMs = 15000: how long a connection attempt may take to be welcomed
 * - onListenerError(error): where errors thrown by your listeners and handlers go (default: reported
 *   asynchronously, like an uncaught error, so they show in the console)
 * - sseUrl: the gateway's SSE URL (default: url with ws(s) -> http(s) and /v1/ws -> /v1/sse); null: no fallback
 * - sseAfterFailures = 2: WebSocket attempts in a row that fail (closed before `welcome`, or no `welcome` within
 *   connectTimeoutMs) before the client switches to SSE; with no WebSocket at all it starts on SSE
 * - wsRetryMs = 300000: after this long on SSE the client tries the WebSocket again (resuming from its cursors);
 *   one failure and it goes back to SSE
 * - WebSocket, EventSource, fetch, timers {setTimeout, clearTimeout}, now, random: for tests and non-browser runtimes
 */
export function connect(options) {
  return new Client(options);
}

export class Client extends Emitter {
  constructor(options = {}) {
    super(options.onListenerError || rethrowLater);
    if (!options.url) throw new TypeError("connect: 'url' is required");
    if (options.token == null) throw new TypeError("connect: 'token' is required");
    if (options.clientId != null && !/^[A-Za-z0-9._-]{1,64}$/.test(options.clientId)) {
      throw new TypeError("connect: 'clientId' must be 1-64 of A-Z a-z 0-9 . _ -");
    }
    this.url = options.url;
    this.clientId = options.clientId;
    this._tokenSource = typeof options.token === "function" ? options.token : () => options.token;
    const backoff = options.backoff || {};
    this._backoff = { initialMs: backoff.initialMs ?? 500, maxMs: backoff.maxMs ?? 30000, factor: backoff.factor ?? 2 };
    this._ackIntervalMs = options.ackIntervalMs ?? 500;
    this._refreshAt = options.refreshAt ?? 0.8;
    this._requestTimeoutMs = options.requestTimeoutMs ?? 10000;
    this._connectTimeoutMs = options.connectTimeoutMs ?? 15000;
    this._WebSocket = options.WebSocket || globalThis.WebSocket;
    this._EventSource = options.EventSource || globalThis.EventSource;
    this._fetch = options.fetch || (typeof globalThis.fetch === "function" ? globalThis.fetch.bind(globalThis) : null);
    this.sseUrl = options.sseUrl !== undefined ? options.sseUrl
        : this.url.replace(/^ws(s?):/, "http$1:").replace(/\/v1\/ws(?=$|\?)/, "/v1/sse");
    const sseUsable = !!(this.sseUrl && this._EventSource && this._fetch);
    if (!this._WebSocket && !sseUsable) {
      throw new TypeError("connect: no WebSocket implementation (nor EventSource and fetch); pass options.WebSocket");
    }
    this._sseAfterFailures = sseUsable ? options.sseAfterFailures ?? 2 : Infinity;
    this._wsRetryMs = options.wsRetryMs ?? 300000;
    /** "websocket" | "sse": the transport of the current (or next) connection. */
    this.transport = this._WebSocket ? "websocket" : "sse";
    this._wsFailures = 0;
    this._wsRetryTimer = null;
    const timers = options.timers || globalThis;
    this._setTimeout = (fn, ms) => timers.setTimeout(fn, ms);
    this._clearTimeout = (t) => timers.clearTimeout(t);
    this._now = options.now || (() => Date.now());
    this._random = options.random || Math.random;

    /** "connecting" | "open" | "reconnecting" | "closed" */
    this.state = "connecting";
    /** The welcome frame of the current connection, or null. */
    this.session = null;
    this._subs = new Map(); // channel -> Subscription
    this._pending = new Map(); // command id -> { resolve, reject, timer, kind, sub }
    this._queue = []; // requests waiting for a connection
    this._nextId = 1;
    this._attempt = 0;
    this._socket = null;
    this._retryTimer = null;
    this._refreshTimer = null;
    this._handshakeTimer = null;
    this._token = null;
    this._tokenExpiresAt = 0;
    this._forceToken = false;
    this._acksUnsupported = false;
    this._refreshUnsupported = false;
    this._refreshing = false;
    this._connectGeneration = 0;
    this._onOnline = () => this.reconnect();
    if (typeof globalThis.addEventListener === "function") {
      globalThis.addEventListener("online", this._onOnline);
    }
    this._open();
  }

  /**
   * Subscribes to a channel. onEvent(event, subscription) gets each event once, in cursor order.
   * Options:
   * - since: a cursor to continue after (for example one your backend rendered the page at)
   * - resume: true for a durable subscription: the first subscribe continues from the position the
   *   server stored for this user (+ clientId) and channel, and the client acks what it receives
   * - rewind: N (1..the server's maximum, 100 by default): the first subscribe delivers the channel's last N
   *   events, oldest first, then live ones (the current state on page load); after a reconnect the client
   *   resumes from its cursor as always. Not together with since or resume
   * - onSubscribed({recovered, reason, cursor, lost, resubscribed, found, complete}): each confirmation; `lost` is
   *   true when a position was asked for and could not be honoured: events were missed, reload your state;
   *   `found` and `complete` answer a rewind (how many past events follow; false when the server stopped looking
   *   before it found N)
   * - onError(StreamgateError): the subscription was refused and has ended
   * The subscription emits "interrupted" ({reason}) when the server ended a confirmed resume it could not
   * finish (`expired`, `internal`); it then subscribes again by itself from its last cursor (after
   * `internal` with the connection's backoff, growing while it keeps failing without an event between).
   */
  subscribe(channel, onEvent, options = {}) {
    if (this.state === "closed") throw new StreamgateError("closed", "the client is closed");
    if (typeof channel !== "string" || !channel) throw new TypeError("subscribe: 'channel' must be a non-empty string");
    if (this._subs.has(channel)) throw new StreamgateError("bad_request", "already subscribed to " + channel);
    if (options.rewind != null) {
      if (!Number.isInteger(options.rewind) || options.rewind < 1) {
        throw new TypeError("subscribe: 'rewind' must be a positive integer");
      }
      if (options.since || options.resume) throw new TypeError("subscribe: give either 'rewind' or 'since'/'resume'");
    }
    const sub = new Subscription(this, channel, onEvent, options);
    this._subs.set(channel, sub);
    if (this.state === "open") this._sendSubscribe(sub);
    return sub;
  }

  /** Publishes to a channel (where the namespace and your token allow it). Resolves {cursor}. */
  publish(channel, data) {
    return this._request({ type: "publish", channel, data }, "publish").then((reply) => ({ cursor: reply.cursor }));
  }

  /** Who is in a channel of a presence namespace: resolves [{sub, info?}]. */
  presence(channel) {
    return this._request({ type: "presence", channel }, "presence").then((reply) => reply.members || []);
  }

  /** Tries to connect now if the client is waiting to reconnect (the app knows the network is back). */
  reconnect() {
    if (this.state !== "reconnecting" || this._socket) return;
    this._clearTimeout(this._retryTimer);
    this._retryTimer = null;
    this._open();
  }

  /** Closes for good: acks what was received, then closes the socket. */
  close() {
    if (this.state === "closed") return;
    for (const sub of this._subs.values()) sub._flushAck();
    this._finish("closed by the application", CloseCodes.NORMAL);
  }

  // --- connection -----------------------------------------------------------------------------

  async _open() {
    const generation = ++this._connectGeneration;
    let token;
    try {
      token = await this._currentToken();
    } catch (e) {
      if (generation !== this._connectGeneration || this.state === "closed") return;
      this._emit("error", new StreamgateError("token", "the token callback failed: " + (e && e.message), { cause: e }));
      this._scheduleReconnect({ code: 0, reason: "token callback failed" }, this._backoffDelay());
      return;
    }
    if (generation !== this._connectGeneration || this.state === "closed") return;
    let url = this.url;
    if (this.clientId) url += (url.includes("?") ? "&" : "?") + "client_id=" + encodeURIComponent(this.clientId);
    let socket;
    try {
      socket = this.transport === "sse"
          ? new SseSocket(this.sseUrl, () => this._token, this.clientId, this._EventSource, this._fetch)
          : new this._WebSocket(url, [PROTOCOL, encodeURIComponent("quarkus-http-upgrade#Authorization#Bearer " + token)]);
    } catch (e) {
      this._emit("error", new StreamgateError("connect", "cannot open a " + this.transport + ": " + (e && e.message), { cause: e }));
      // A page where WebSocket cannot even be constructed (none, or a policy forbids it): SSE next, at once.
      if (this.transport === "websocket" && Number.isFinite(this._sseAfterFailures)) {
        this._wsFailures = Math.max(this._wsFailures, this._sseAfterFailures - 1);
      }
      this._onClose({ code: 1006, reason: "cannot open" });
      return;
    }
    this._socket = socket;
    socket.onmessage = (message) => {
      if (this._socket === socket) this._onMessage(message.data);
    };
    socket.onclose = (event) => {
      if (this._socket === socket) this._onClose(event || {});
    };
    socket.onerror = () => {
      // A close event always follows; decide there.
    };
    this._clearTimeout(this._handshakeTimer);
    this._handshakeTimer = this._setTimeout(() => {
      if (this._socket !== socket || this.state === "open") return;
      // A hung handshake may take the browser minutes to give up on: give up now and retry. A WebSocket handshake
      // that never completes is what a proxy that swallows Upgrade does: the next attempt goes over SSE.
      if (this.transport === "websocket" && Number.isFinite(this._sseAfterFailures)) this._wsFailures = Math.max(this._wsFailures, this._sseAfterFailures - 1);
      this._abandon(socket);
      this._onClose({ code: 1006, reason: "no welcome within " + this._connectTimeoutMs + " ms" });
    }, this._connectTimeoutMs);
  }

  _abandon(socket) {
    socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close();
    } catch {
      // not yet open or already closed
    }
  }

  async _currentToken() {
    const fresh = this._token && !this._forceToken && this._tokenExpiresAt - this._now() > 30000;
    if (fresh) return this._token;
    const token = await this._tokenSource();
    if (typeof token !== "string" || !token) throw new Error("the token callback returned no token");
    this._token = token;
    this._tokenExpiresAt = jwtExpiry(token) ?? this._now() + 60000;
    this._forceToken = false;
    return token;
  }

  _onMessage(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return; // the server only sends JSON; ignore anything else rather than fail
    }
    switch (frame.type) {
      case "welcome":
        return this._onWelcome(frame);
      case "event":
        return this._onEvent(frame);
      case "subscribed":
        return this._onSubscribed(frame);
      case "unsubscribed":
        return this._onUnsubscribed(frame);
      case "error":
        return this._onError(frame);
      case "join":
      case "leave": {
        const sub = this._subs.get(frame.channel);
        this._emit(frame.type, { channel: frame.channel, member: frame.member });
        if (sub) sub._emit(frame.type, frame.member);
        return;
      }
      case "expiring":
        this._emit("expiring", frame);
        return this._refreshToken();
      default:
        if (frame.id != null && this._pending.has(frame.id)) return this._settle(frame.id, frame, null);
    }
  }

  _onWelcome(frame) {
    this._clearTimeout(this._handshakeTimer);
    this._handshakeTimer = null;
    this.session = frame;
    this._attempt = 0;
    if (this.transport === "websocket") {
      this._wsFailures = 0;
    } else if (this._WebSocket && !this._wsRetryTimer) {
      // On the fallback: try the WebSocket again later (the network may have changed); one failure brings SSE back.
      this._wsRetryTimer = this._setTimeout(() => {
        this._wsRetryTimer = null;
        if (this.transport !== "sse" || this.state !== "open" || !this._socket) return;
        this._switchTransport("websocket", this._sseAfterFailures - 1);
        const socket = this._socket;
        this._abandon(socket);
        this._onClose({ code: CloseCodes.SERVICE_RESTART, reason: "trying the WebSocket again" });
      }, this._wsRetryMs);
    }
    if (frame.expires_at) this._tokenExpiresAt = frame.expires_at;
    this._setState("open", { session: frame });
    this._emit("open", frame);
    this._scheduleRefresh();
    for (const sub of this._subs.values()) this._sendSubscribe(sub);
    const queued = this._queue.splice(0);
    for (const request of queued) this._sendRequest(request);
  }

  _onEvent(frame) {
    const exact = this._subs.get(frame.channel);
    const colon = frame.channel.indexOf(":");
    const wildcard = colon > 0 ? this._subs.get(frame.channel.slice(0, colon) + ":*") : undefined;
    // A connection subscribed to both a channel and its namespace's wildcard gets each event once per
    // subscription; each subscription takes it once.
    if (exact) exact._deliver(frame);
    if (wildcard && wildcard !== exact) wildcard._deliver(frame);
  }

  _onSubscribed(frame) {
    if (frame.id == null) {
      // Server-initiated: the stream under the channel changed (partitions added, topic recreated) and the
      // server moved the subscription; with a reason (epoch) events may have been missed: reload.
      const sub = this._subs.get(frame.channel);
      if (sub && sub._state === "subscribed") {
        sub._requested = true;
        sub._confirmed(frame);
      }
      return;
    }
    const entry = this._pending.get(frame.id);
    if (!entry || entry.kind !== "subscribe") return;
    this._pending.delete(frame.id);
    entry.sub._confirmed(frame);
  }

  _onUnsubscribed(frame) {
    if (frame.id != null && this._pending.has(frame.id)) {
      this._pending.delete(frame.id);
      return;
    }
    const sub = this._subs.get(frame.channel);
    if (!sub) return;
    if (RESUBSCRIBE_REASONS.has(frame.reason)) {
      // A confirmed resume (or a move to a new stream) the server could not finish: subscribe again from the
      // last cursor received, at once after `expired` (the reply says `recovered: false`, so the app learns
      // what was lost), with backoff after `internal` (reading failed; it may fail again).
      sub._stopTimers();
      sub._state = "pending";
      sub._emit("interrupted", { reason: frame.reason });
      if (frame.reason === "internal") this._resubscribeLater(sub, this._subscribeBackoff(sub));
      else this._resubscribeLater(sub, 0);
      return;
    }
    // Server-initiated and final: the token no longer covers the channel, for instance after a refresh.
    sub._end({ reason: frame.reason }, null);
  }

  _onError(frame) {
    const error = new StreamgateError(frame.code, frame.message);
    if (frame.id == null || !this._pending.has(frame.id)) {
      // The only commands without an id are acks: a server without durable cursors answers unknown_type.
      if (frame.code === "unknown_type" && frame.id == null) this._acksUnsupported = true;
      this._emit("error", error);
      return;
    }
    const entry = this._pending.get(frame.id);
    this._pending.delete(frame.id);
    this._clearTimeout(entry.timer);
    if (entry.kind === "subscribe") {
      const sub = entry.sub;
      if (sub._state === "closed") return;
      if (FINAL_SUBSCRIBE_ERRORS.has(frame.code)) {
        sub._end(null, error);
      } else {
        // internal (the event stream is unavailable: with backoff) and anything unforeseen (shortly): try again.
        sub._state = "pending";
        sub._emit("error", error);
        this._resubscribeLater(sub, frame.code === "internal" ? this._subscribeBackoff(sub) : this._jitter(2000));
      }
    } else if (entry.kind === "refresh") {
      this._refreshFailed(error);
    } else {
      entry.reject(error);
    }
  }

  _onClose(event) {
    const code = event.code ?? 1006;
    const reason = event.reason || "";
    const wasOpen = this.state === "open";
    this._socket = null;
    this._clearTimeout(this._handshakeTimer);
    this._handshakeTimer = null;
    this.session = null;
    this._clearTimeout(this._refreshTimer);
    this._refreshTimer = null;
    this._refreshing = false;
    this._failInFlight(new StreamgateError("disconnected", "the connection closed before the reply (" + code + ")"));
    for (const sub of this._subs.values()) sub._disconnected();
    if (this.state === "closed") return;
    if (FINAL_CLOSES.has(code)) {
      // 4403: this client may not be here; 1008: it sent garbage; 4410: an operator disconnected the user; 4411: the
      // token was revoked. Reconnecting by itself cannot help (or is what the operator meant to stop).
      this._emit("error", new StreamgateError(FINAL_CLOSES.get(code),
          "the server closed the connection for good (" + code + (reason ? " " + reason : "") + ")"));
      this._finish(reason || "closed by the server", code);
      return;
    }
    if (!wasOpen && this.transport === "websocket" && ++this._wsFailures >= this._sseAfterFailures) {
      this._switchTransport("sse", 0);
    } else if (!wasOpen && this.transport === "sse" && this._WebSocket) {
      this._switchTransport("websocket", this._sseAfterFailures - 1); // SSE failed too: the WebSocket once more
    }
    let delay;
    if (code === CloseCodes.TOKEN_EXPIRED) {
      this._forceToken = true; // a new token first, then straight back
      delay = this._jitter(250);
    } else if ((code === CloseCodes.SERVICE_RESTART || code === CloseCodes.SLOW_CONSUMER) && wasOpen) {
      // Another replica (1012) or a fresh queue (4008) is ready now; jitter spreads a whole replica's clients.
      delay = this._jitter(this._backoff.initialMs * 2);
    } else {
      if (!wasOpen) this._forceToken = true; // the handshake failed: perhaps a 401 for an expired token
      delay = this._backoffDelay();
      if (code === CloseCodes.TOO_MANY_CONNECTIONS) delay = Math.max(delay, 5000);
    }
    this._scheduleReconnect({ code, reason }, delay);
  }

  _switchTransport(transport, wsFailures) {
    this._wsFailures = wsFailures;
    if (this.transport === transport) return;
    this.transport = transport;
    this._emit("transport", transport);
  }

  _scheduleReconnect(cause, delay) {
    if (this.state === "closed") return;
    this._attempt++;
    this._setState("reconnecting", { code: cause.code, reason: cause.reason, delay, attempt: this._attempt });
    this._emit("close", { code: cause.code, reason: cause.reason, reconnectIn: delay });
    this._clearTimeout(this._retryTimer);
    this._retryTimer = this._setTimeout(() => {
      this._retryTimer = null;
      this._open();
    }, delay);
  }

  /** Exponential backoff with "equal jitter": half the step fixed, half random, so clients spread out. */
  _backoffDelay(attempt = this._attempt) {
    const { initialMs, maxMs, factor } = this._backoff;
    const step = Math.min(maxMs, initialMs * Math.pow(factor, attempt));
    return Math.round(step / 2 + this._random() * (step / 2));
  }

  /**
   * The pause before subscribing `sub` again after the server failed it with `internal`: the connection's
   * backoff, growing with each such failure in a row, so a stream that keeps failing is not asked every
   * second by every client; an event received (progress) starts it again from `initialMs`.
   */
  _subscribeBackoff(sub) {
    return this._backoffDelay(sub._failures++);
  }

  /** Subscribes `sub` again from its last cursor after `delayMs`, if it is still wanted and the connection open. */
  _resubscribeLater(sub, delayMs) {
    const again = () => {
      sub._retryTimer = null;
      if (this._subs.get(sub.channel) === sub && this.state === "open") this._sendSubscribe(sub);
    };
    if (delayMs > 0) sub._retryTimer = this._setTimeout(again, delayMs);
    else again();
  }

  _jitter(maxMs) {
    return Math.round(this._random() * maxMs);
  }

  _finish(reason, code) {
    const socket = this._socket;
    this._socket = null;
    this._connectGeneration++;
    this._clearTimeout(this._retryTimer);
    this._clearTimeout(this._refreshTimer);
    this._clearTimeout(this._handshakeTimer);
    this._clearTimeout(this._wsRetryTimer);
    for (const sub of this._subs.values()) {
      sub._stopTimers();
      sub._state = "closed";
    }
    this._failInFlight(new StreamgateError("closed", "the client is closed"));
    for (const request of this._queue.splice(0)) {
      this._clearTimeout(request.timer);
      request.reject(new StreamgateError("closed", "the client is closed"));
    }
    if (typeof globalThis.removeEventListener === "function") globalThis.removeEventListener("online", this._onOnline);
    this._setState("closed", { code, reason });
    this._emit("close", { code, reason, reconnectIn: null });
    if (socket) {
      socket.onmessage = socket.onclose = socket.onerror = null;
      try {
        socket.close(CloseCodes.NORMAL, "bye");
      } catch {
        // already closing
      }
    }
  }

  _setState(state, detail) {
    if (this.state === state && state !== "reconnecting") return;
    this.state = state;
    this._emit("state", state, detail || {});
  }

  // --- commands -------------------------------------------------------------------------------

  _send(frame) {
    if (!this._socket || this.state !== "open") return false;
    try {
      this._socket.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  _sendSubscribe(sub) {
    const id = this._nextId++;
    const frame = { type: "subscribe", id, channel: sub.channel };
    if (sub.cursor) frame.since = sub.cursor;
    else if (sub.durable) frame.resume = true;
    else if (sub.rewind) frame.rewind = sub.rewind; // only before any position is known: the first subscribe
    sub._state = "pending";
    sub._requested = Boolean(frame.since || frame.resume);
    this._pending.set(id, { kind: "subscribe", sub, timer: null });
    this._send(frame);
  }

  _request(frame, kind) {
    return new Promise((resolve, reject) => {
      if (this.state === "closed") {
        reject(new StreamgateError("closed", "the client is closed"));
        return;
      }
      const request = { frame, kind, resolve, reject, timer: null };
      request.timer = this._setTimeout(() => {
        const queued = this._queue.indexOf(request);
        if (queued >= 0) this._queue.splice(queued, 1);
        if (request.id != null) this._pending.delete(request.id);
        reject(new StreamgateError("timeout", kind + " got no reply within " + this._requestTimeoutMs + " ms"));
      }, this._requestTimeoutMs);
      if (this.state === "open") this._sendRequest(request);
      else this._queue.push(request);
    });
  }

  _sendRequest(request) {
    request.id = this._nextId++;
    this._pending.set(request.id, request);
    this._send({ ...request.frame, id: request.id });
  }

  _settle(id, reply) {
    const entry = this._pending.get(id);
    this._pending.delete(id);
    this._clearTimeout(entry.timer);
    if (entry.kind === "refresh") this._refreshed(reply);
    else entry.resolve(reply);
  }

  _failInFlight(error) {
    for (const [id, entry] of this._pending) {
      this._pending.delete(id);
      this._clearTimeout(entry.timer);
      if (entry.reject) entry.reject(error);
    }
  }

  // --- token refresh --------------------------------------------------------------------------

  _scheduleRefresh() {
    this._clearTimeout(this._refreshTimer);
    this._refreshTimer = null;
    const expiresAt = this.session && this.session.expires_at;
    if (!expiresAt || this._refreshUnsupported) return;
    const remaining = expiresAt - this._now();
    if (remaining <= 0) return;
    // Well before expiry, by itself: the server's 'expiring' frame (a minute before) is only a backstop.
    const delay = Math.max(1000, Math.round(remaining * this._refreshAt));
    this._refreshTimer = this._setTimeout(() => this._refreshToken(), delay);
  }

  async _refreshToken() {
    if (this.state !== "open" || this._refreshing || this._refreshUnsupported) return;
    this._refreshing = true;
    const generation = this._connectGeneration;
    let token;
    try {
      this._forceToken = true;
      token = await this._currentToken();
    } catch (e) {
      this._refreshing = false;
      this._emit("error", new StreamgateError("token", "the token callback failed: " + (e && e.message), { cause: e }));
      this._retryRefreshLater();
      return;
    }
    if (generation !== this._connectGeneration || this.state !== "open") {
      this._refreshing = false;
      return;
    }
    const id = this._nextId++;
    this._pending.set(id, { kind: "refresh", timer: null, reject: null });
    this._send({ type: "refresh", id, token });
  }

  _refreshed(reply) {
    this._refreshing = false;
    if (this.session && reply.expires_at) {
      this.session = { ...this.session, expires_at: reply.expires_at };
      this._tokenExpiresAt = reply.expires_at;
    }
    this._emit("refreshed", { expires_at: reply.expires_at });
    this._scheduleRefresh();
  }

  _refreshFailed(error) {
    this._refreshing = false;
    if (error.code === "unknown_type") {
      // A gateway without refresh: it closes with 4401 at expiry, and the client reconnects with a new token.
      this._refreshUnsupported = true;
      return;
    }
    this._emit("error", error);
    this._retryRefreshLater();
  }

  /** Tries again at half the remaining lifetime, while more than a few seconds remain. */
  _retryRefreshLater() {
    const expiresAt = this.session && this.session.expires_at;
    const remaining = expiresAt ? expiresAt - this._now() : 0;
    if (remaining < 5000) return; // too late: the server closes with 4401 and the client reconnects
    this._clearTimeout(this._refreshTimer);
    this._refreshTimer = this._setTimeout(() => this._refreshToken(), Math.round(remaining / 2));
  }
}

/**
 * The SSE transport (docs/protocol.md, "SSE transport") behind the WebSocket's interface, so the client works the
 * same on both: a ticket is taken with the token in an Authorization header (never in a URL), the stream is read
 * with EventSource, and each command the client sends is POSTed on the stream's identity, in order; the answers come
 * on the stream. The stream's `close` frame is the WebSocket's close; the client, not the browser, reconnects
 * (with a new ticket, resubscribing from its cursors, as on the WebSocket).
 */
class SseSocket {
  constructor(url, token, clientId, EventSource, fetchFn) {
    this.onmessage = this.onclose = this.onerror = null;
    this._url = url;
    this._token = token;
    this._fetch = fetchFn;
    this._closed = false;
    this._source = null;
    this._stream = null;
    this._posting = Promise.resolve();
    const body = clientId ? { client_id: clientId } : {};
    this._request(url + "/ticket", token(), body).then(async (response) => {
      if (this._closed) return;
      if (response.status !== 201) {
        return this._end(response.status === 401 ? 1006 : response.status === 429 ? CloseCodes.TOO_MANY_CONNECTIONS : 1006,
            "no SSE ticket (" + response.status + ")");
      }
      const ticket = await response.json();
      if (this._closed) return;
      this._stream = ticket.stream;
      const source = new EventSource(url + (url.includes("?") ? "&" : "?") + "ticket=" + encodeURIComponent(ticket.ticket));
      this._source = source;
      source.onmessage = (message) => {
        if (this._closed) return;
        if (message.data.startsWith('{"type":"close"')) {
          const frame = JSON.parse(message.data);
          return this._end(frame.code, frame.reason);
        }
        if (this.onmessage) this.onmessage({ data: message.data });
      };
      // The stream broke (or was refused): the client reconnects itself, from its cursors, with a new ticket.
      source.onerror = () => this._end(1006, "the SSE stream broke");
    }).catch((e) => this._end(1006, "no SSE ticket: " + (e && e.message)));
  }

  _request(url, token, body) {
    return this._fetch(url, {
      method: "POST",
      headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  /** Posts one command, after the ones before it; a command the stream cannot take closes it (the client resumes). */
  send(text) {
    if (this._closed || !this._stream) throw new Error("the SSE stream is not open");
    const frame = JSON.parse(text);
    const token = frame.type === "refresh" && frame.token ? frame.token : this._token();
    const url = this._url + "/streams/" + encodeURIComponent(this._stream) + "/commands";
    this._posting = this._posting.then(() => this._request(url, token, frame)).then((response) => {
      if (response.status === 202 || this._closed) return;
      if (response.status === 404) return this._end(1006, "the SSE stream is gone");
      const code = response.status === 401 ? "unauthorized" : response.status === 403 ? "forbidden" : "internal";
      if (frame.id != null && this.onmessage) {
        this.onmessage({ data: JSON.stringify({ type: "error", id: frame.id, code, message: "HTTP " + response.status }) });
      }
    }, () => this._end(1006, "a command could not be posted"));
  }

  close() {
    this._closed = true;
    if (this._source) this._source.close();
  }

  _end(code, reason) {
    if (this._closed) return;
    this.close();
    if (this.onclose) this.onclose({ code, reason });
  }
}

/** One channel's subscription: survives reconnects until unsubscribed or refused. */
export class Subscription extends Emitter {
  constructor(client, channel, onEvent, options) {
    super(client._reportError);
    this.client = client;
    this.channel = channel;
    this.durable = Boolean(options.resume === true);
    /** Events to rewind on the first subscribe; once a cursor is known, resubscribes continue from it. */
    this.rewind = options.rewind || 0;
    /** The last position received: events after it are what a resubscribe asks for. */
    this.cursor = typeof options.since === "string" && options.since ? options.since : null;
    this._onEvent = typeof onEvent === "function" ? onEvent : null;
    this._state = "pending"; // "pending" | "subscribed" | "closed"
    this._requested = false;
    this._confirmations = 0;
    this._seen = new Set();
    this._ackCursor = null;
    this._ackTimer = null;
    this._retryTimer = null;
    /** `internal` failures in a row since the last event: how long the next resubscribe waits. */
    this._failures = 0;
    if (options.onSubscribed) this.on("subscribed", options.onSubscribed);
    if (options.onError) this.on("error", options.onError);
  }

  /** "pending" (waiting for the server), "subscribed" or "closed". */
  get state() {
    return this._state;
  }

  unsubscribe() {
    if (this._state === "closed") return;
    this._flushAck();
    const wasKnownToServer = this.client.state === "open";
    this._stopTimers();
    this._state = "closed";
    this.client._subs.delete(this.channel);
    if (wasKnownToServer) {
      const id = this.client._nextId++;
      this.client._pending.set(id, { kind: "unsubscribe", timer: null, reject: null });
      this.client._send({ type: "unsubscribe", id, channel: this.channel });
    }
  }

  _confirmed(frame) {
    if (this._state === "closed") return; // unsubscribed while the subscribe was on its way
    this._state = "subscribed";
    if (frame.cursor) this.cursor = frame.cursor;
    const info = {
      channel: this.channel,
      recovered: Boolean(frame.recovered),
      reason: frame.reason,
      cursor: frame.cursor,
      lost: this._requested && !frame.recovered && frame.reason != null,
      resubscribed: this._confirmations > 0,
    };
    if (frame.found != null) {
      info.found = frame.found;
      info.complete = Boolean(frame.complete);
    }
    this._confirmations++;
    if (this.durable && !frame.recovered && frame.cursor) {
      // Starting afresh: what was received before belongs to a position the server no longer continues
      // from, and acking the new start means a later visit resumes from here, not from its own "now".
      this._ackCursor = frame.cursor;
    }
    this._emit("subscribed", info);
    this.client._emit("subscribed", info);
    this._scheduleAck();
  }

  _deliver(frame) {
    if (this._state === "closed" || !frame.cursor) return;
    if (this._seen.has(frame.cursor)) return;
    this._seen.add(frame.cursor);
    if (this._seen.size > SEEN_CURSORS) this._seen.delete(this._seen.values().next().value);
    this.cursor = frame.cursor;
    this._failures = 0;
    if (this.durable) {
      this._ackCursor = frame.cursor;
      this._scheduleAck();
    }
    if (this._onEvent) {
      try {
        this._onEvent(frame, this);
      } catch (e) {
        this._reportError(e);
      }
    }
  }

  /** Coalesced acks: at most one per ackIntervalMs, always of the newest cursor. */
  _scheduleAck() {
    if (!this.durable || this._ackCursor == null || this._ackTimer != null) return;
    this._ackTimer = this.client._setTimeout(() => {
      this._ackTimer = null;
      this._flushAck();
    }, this.client._ackIntervalMs);
  }

  _flushAck() {
    if (!this.durable || this._ackCursor == null || this._state !== "subscribed" || this.client._acksUnsupported) return;
    // An ack names a cursor this connection delivered; after a reconnect it waits for 'subscribed'.
    if (this.client._send({ type: "ack", channel: this.channel, cursor: this._ackCursor })) this._ackCursor = null;
  }

  _disconnected() {
    if (this._state === "closed") return;
    this._state = "pending";
    this._stopTimers();
  }

  _stopTimers() {
    this.client._clearTimeout(this._ackTimer);
    this.client._clearTimeout(this._retryTimer);
    this._ackTimer = null;
    this._retryTimer = null;
  }

  _end(detail, error) {
    this._stopTimers();
    this._state = "closed";
    if (this.client._subs.get(this.channel) === this) this.client._subs.delete(this.channel);
    if (error) {
      this._emit("error", error);
      this.client._emit("error", Object.assign(error, { channel: this.channel }));
    }
    this._emit("unsubscribed", detail || { reason: error ? error.code : undefined });
  }
}

/** The token's exp claim in ms, read without verifying (only to know when to fetch a new one). */
function jwtExpiry(token) {
  try {
    const payload = token.split(".")[1];
    const json = JSON.parse(globalThis.atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
    return typeof json.exp === "number" ? json.exp * 1000 : null;
  } catch {
    return null;
  }
}
