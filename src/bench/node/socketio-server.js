// The Socket.IO 4 server Streamgate is compared with: clients join rooms, a publisher emits to a room, and
// Socket.IO broadcasts (encoding each packet once per broadcast, as it does). Configured as a Node team would
// run it for this job: WebSocket transport only, no per-message compression; connection state recovery (its
// resume feature: missed packets kept in memory) only where a scenario resumes (RECOVERY=true), since it
// stores every broadcast packet.
//
// Environment: PORT, PING_MS (heartbeat interval), RECOVERY. Run with --expose-gc: GET /admin/memory forces a
// full GC and answers process.memoryUsage().
"use strict";
const http = require("node:http");
const { Server } = require("socket.io");

const port = Number(process.env.PORT);
const pingInterval = Number(process.env.PING_MS || 25000);
const recovery = process.env.RECOVERY === "true";

const httpServer = http.createServer((req, res) => {
  if (req.url === "/admin/memory") {
    global.gc();
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(process.memoryUsage()));
  } else if (req.url === "/admin/health") {
    res.end("ok");
  } else {
    res.statusCode = 404;
    res.end();
  }
});

const io = new Server(httpServer, {
  transports: ["websocket"],
  serveClient: false,
  perMessageDeflate: false,
  pingInterval,
  pingTimeout: 20000,
  ...(recovery ? { connectionStateRecovery: { maxDisconnectionDuration: 5 * 60 * 1000, skipMiddlewares: true } } : {}),
});

io.on("connection", (socket) => {
  socket.on("subscribe", (room, ack) => {
    socket.join(room);
    if (typeof ack === "function") ack({ recovered: socket.recovered });
  });
  // The publisher: one event to a room. An ack (when asked for) tells it the server has taken the event.
  socket.on("publish", (room, data, ack) => {
    io.to(room).emit("event", room, data);
    if (typeof ack === "function") ack();
  });
  // Answered after every packet before it on this socket was handled: the publisher's "all taken".
  socket.on("sync", (ack) => ack());
});

httpServer.listen(port, "127.0.0.1", () => console.log(`socket.io ${require("socket.io/package.json").version} listening on ${port}`));
