import net from 'node:net';

/** True when nothing listens on host:port (we could bind it ourselves). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port the OS considers free right now (there is a small window before someone else takes it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** The first candidate that is free, else a random free port; distinct from `taken`. */
export async function pickPort(candidates: (number | undefined)[], host = '127.0.0.1', taken: number[] = []): Promise<number> {
  for (const candidate of candidates) {
    if (candidate && !taken.includes(candidate) && (await isPortFree(candidate, host))) return candidate;
  }
  for (;;) {
    const port = await freePort(host);
    if (!taken.includes(port)) return port;
  }
}
