// Measurement form, progressive enhancement: without JavaScript the form is filled by hand. With it, two buttons
// appear: the browser's position, and a speed test against the platform itself (latency, download, upload through
// /api/v1/mobile/test-debit/*, capped sizes and rate-limited), whose results fill the form. Nothing is sent until
// the person submits the form.
const form = document.querySelector('form[data-pan-mesure]');
if (form) {
  const field = (name) => form.querySelector(`[name="${name}"]`);
  const fr = (v, d) => v.toLocaleString('fr-FR', { maximumFractionDigits: d, useGrouping: false });
  const status = document.createElement('p');
  status.setAttribute('role', 'status');
  status.className = 'fr-text--sm';
  const bar = document.createElement('div');
  bar.className = 'fr-btns-group fr-btns-group--inline fr-mb-2w';
  const button = (label, run) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'fr-btn fr-btn--secondary';
    b.textContent = label;
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        await run();
      } catch (e) {
        status.textContent = `Échec : ${e instanceof Error ? e.message : e}. Vous pouvez saisir les valeurs à la main.`;
      } finally {
        b.disabled = false;
      }
    });
    bar.append(b);
  };
  if ('geolocation' in navigator)
    button('Utiliser ma position', async () => {
      status.textContent = 'Recherche de la position…';
      const p = await new Promise((ok, ko) =>
        navigator.geolocation.getCurrentPosition(ok, (e) => ko(new Error(e.message)), {
          enableHighAccuracy: true,
          timeout: 20000,
        }),
      );
      field('lat').value = fr(p.coords.latitude, 5);
      field('lon').value = fr(p.coords.longitude, 5);
      status.textContent = `Position renseignée (précision ${Math.round(p.coords.accuracy)} m ; publiée arrondie à 100 m).`;
    });
  const base = '/api/v1/mobile/test-debit';
  const timed = async (f) => {
    const t0 = performance.now();
    const r = await f();
    if (!r.ok) throw new Error(r.status === 429 ? 'trop de tests en une minute' : `réponse ${r.status}`);
    if (r.status !== 204) await r.arrayBuffer();
    return performance.now() - t0;
  };
  button('Mesurer mon débit', async () => {
    status.textContent = 'Mesure de la latence…';
    const pings = [];
    for (let i = 0; i < 5; i++) pings.push(await timed(() => fetch(`${base}/latence`, { cache: 'no-store' })));
    pings.sort((a, b) => a - b);
    const latence = pings[2];
    status.textContent = 'Mesure du débit descendant…';
    const down = 2 * 1024 * 1024;
    const td = await timed(() => fetch(`${base}/telechargement?octets=${down}`, { cache: 'no-store' }));
    status.textContent = 'Mesure du débit montant…';
    const up = 1024 * 1024;
    const payload = new Uint8Array(up);
    crypto.getRandomValues(payload.subarray(0, 65536));
    const tu = await timed(() =>
      fetch(`${base}/envoi`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: payload,
      }),
    );
    // Megabits per second over the transfer time, minus one round trip.
    const mbps = (bytes, ms) => (bytes * 8) / 1e6 / (Math.max(ms - latence, 1) / 1000);
    field('latence_ms').value = fr(latence, 0);
    field('debit_descendant_mbps').value = fr(mbps(down, td), 1);
    field('debit_montant_mbps').value = fr(mbps(up, tu), 1);
    status.textContent = `Débits mesurés avec la plateforme et reportés dans le formulaire : ${field('debit_descendant_mbps').value} Mbit/s descendant, ${field('debit_montant_mbps').value} Mbit/s montant, ${field('latence_ms').value} ms. Choisissez l’opérateur et la technologie, puis envoyez.`;
  });
  form.prepend(bar, status);
}
