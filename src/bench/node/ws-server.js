// A bare Node `ws` server: the floor of what a WebSocket costs in Node, for the idle-connection memory figures.
// Speaks the harness's plain protocol: {"type":"subscribe","id":..,"channel":..} -> {"type":"subscribed","id":..}.
// Pings every client every PING_MS, as the other servers do.
//
// Environment: PORT, PING_MS. Run with --expose-gc: GET /admin/memory forces a full GC and answers
// process.memoryUsage().
"use strict";
const http = require("node:http");
const { WebSocketServer } = require("ws");

const port = Number(process.env.PORT);
const pingInterval = Number(process.env.PING_MS || 25000);
const channels = new Map();

const httpServer = http.createServer((req, res) => {
  if (req.url === "/admin/memory") {
    global.gc();
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(process.memoryUsage()));
  } else {
    res.end("ok");
  }
});

const wss = new WebSocketServer({ server: httpServer, path: "/ws", perMessageDeflate: false });
wss.on("connection", (ws) => {
  const mine = new Set();
  ws.on("message", (message) => {
    const command = JSON.parse(message);
    if (command.type === "subscribe") {
      if (!channels.has(command.channel)) channels.set(command.channel, new Set());
      channels.get(command.channel).add(ws);
      mine.add(command.channel);
      ws.send(JSON.stringify({ type: "subscribed", id: command.id }));
    }
  });
  ws.on("close", () => {
    for (const channel of mine) {
      const set = channels.get(channel);
      set.delete(ws);
      if (set.size === 0) channels.delete(channel);
    }
  });
});

setInterval(() => wss.clients.forEach((ws) => ws.ping()), pingInterval).unref();

httpServer.listen(port, "127.0.0.1", () => console.log(`ws ${require("ws/package.json").version} listening on ${port}`));
