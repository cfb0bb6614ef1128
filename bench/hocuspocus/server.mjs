// A bare Hocuspocus server, the peer Tabula's fan-out is measured beside (issue 17):
// documents in memory only, no extensions, no persistence, nothing logged.
//
//   node bench/hocuspocus/server.mjs [port]      (or PORT=…; 0 picks a free port)
//
// It listens on loopback and prints "listening 127.0.0.1:PORT" once it accepts
// connections, so a script or test can wait for that line.
import { Server } from "@hocuspocus/server";

const port = Number(process.argv[2] ?? process.env.PORT ?? 1234);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`usage: node server.mjs [port]: not a port: ${process.argv[2] ?? process.env.PORT}`);
  process.exit(2);
}

const server = new Server({ port, address: "127.0.0.1", quiet: true });
await server.listen();
console.log(`listening 127.0.0.1:${server.address.port}`);
