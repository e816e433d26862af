import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A source that sends one BAN-like line every 100 ms and never ends: a slow or stuck server. */
export function slowServer(): Promise<{ url: string; close(): Promise<void> }> {
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/csv' });
    res.write('id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune\n');
    let n = 0;
    const t = setInterval(
      () => res.write(`21231_0001_${String(++n).padStart(5, '0')};;${n};;Rue de la Liberté;21000;21231;Dijon\n`),
      100,
    );
    timers.add(t);
    res.on('close', () => clearInterval(t));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/adresses-21.csv`,
        close: () =>
          new Promise<void>((r) => {
            for (const t of timers) clearInterval(t);
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    ),
  );
}
