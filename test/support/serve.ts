/** Loopback servers for checker tests: 127.0.0.1, ephemeral port, closed (with their sockets) by close(). */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

export interface Served {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  readonly port: number;
  close(): Promise<void>;
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

function closer(server: net.Server, sockets: Set<net.Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

export async function serveHttp(handler: http.RequestListener): Promise<Served> {
  const server = http.createServer(handler);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  return { base: `http://127.0.0.1:${port}`, port, close: closer(server, sockets) };
}

/** A raw TCP server, for answers node:http would refuse to write (hostile servers). */
export async function serveRaw(onConnection: (socket: net.Socket) => void): Promise<Served> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  const port = await listen(server);
  return { base: `http://127.0.0.1:${port}`, port, close: closer(server, sockets) };
}

/** Keeps the servers a test file starts and closes them all after its last test. */
export function keepServers(): (s: Promise<Served>) => Promise<Served> {
  const servers: Served[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  return async (s) => {
    const served = await s;
    servers.push(served);
    return served;
  };
}
