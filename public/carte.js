// Shared interactive map (MapLibre), progressive enhancement of a server-rendered list: see src/geo/carte.ts.
// Each `[data-carte]` element gets a map of the GeoJSON points of its `data-donnees`, clustered, with a popup
// per point linking to its page. Keyboard: the map takes the focus (arrows move, + and − zoom), Entrée opens
// the place or cluster nearest the centre, Échap closes the popup.

const PAGE = 1000;
const FALLBACK = {
  version: 8,
  sources: {},
  layers: [{ id: 'fond', type: 'background', paint: { 'background-color': '#f6f6f6' } }],
};

async function json(url, ms = 8000) {
  const res = await fetch(url, { signal: AbortSignal.timeout(ms), headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

/** Every point of the data URL, page after page. */
async function allPoints(url) {
  const features = [];
  for (let offset = 0; ; offset += PAGE) {
    const u = new URL(url, location.href);
    u.searchParams.set('limit', String(PAGE));
    u.searchParams.set('offset', String(offset));
    const fc = await json(u.href, 20000);
    features.push(...fc.features);
    if (!fc.features.length || features.length >= (fc.total ?? 0)) return { type: 'FeatureCollection', features };
  }
}

/** The base style, or a plain background when it cannot be read (offline, blocked, broken). */
async function baseStyle(url) {
  try {
    const s = await json(url);
    if (s && s.version === 8 && Array.isArray(s.layers))
      return { style: url, glyphs: Boolean(s.glyphs), fallback: false };
  } catch {
    // fall through
  }
  return { style: FALLBACK, glyphs: false, fallback: true };
}

function bounds(features) {
  let w = 180,
    s = 90,
    e = -180,
    n = -90;
  for (const f of features) {
    const [x, y] = f.geometry.coordinates;
    if (x < w) w = x;
    if (x > e) e = x;
    if (y < s) s = y;
    if (y > n) n = y;
  }
  return w <= e
    ? [
        [w, s],
        [e, n],
      ]
    : null;
}

function popupContent(el, props) {
  const div = document.createElement('div');
  const a = document.createElement('a');
  a.href = el.dataset.lien.replace('{id}', encodeURIComponent(String(props.id)));
  a.textContent = props.nom;
  if (el.dataset.cible) {
    a.target = el.dataset.cible;
    a.rel = 'noopener';
  }
  const p = document.createElement('p');
  p.className = 'fr-text--sm fr-mb-0';
  const where = [props.adresse, props.commune].filter(Boolean).join(', ');
  p.textContent = where;
  div.append(a, p);
  return div;
}

async function start(el) {
  const [lib, data, base] = await Promise.all([
    import(el.dataset.maplibre),
    allPoints(el.dataset.donnees),
    baseStyle(el.dataset.style),
  ]);
  const maplibregl = lib.default ?? lib;
  el.hidden = false;
  const box = bounds(data.features);
  const attribution = [base.fallback ? '' : el.dataset.attribution, el.dataset.attributionDonnees]
    .filter(Boolean)
    .join(' — ');
  const map = new maplibregl.Map({
    container: el,
    style: base.style,
    ...(box ? { bounds: box, fitBoundsOptions: { padding: 40, maxZoom: 13 } } : { center: [2.5, 46.6], zoom: 5 }),
    attributionControl: { compact: false, customAttribution: attribution },
    cooperativeGestures: false,
  });
  el.maplibre = map;
  el.dataset.fond = base.fallback ? 'repli' : 'style';
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map
    .getCanvas()
    .setAttribute(
      'aria-label',
      `${el.dataset.libelle}. Flèches pour déplacer, + et − pour zoomer, Entrée pour ouvrir le lieu le plus proche du centre.`,
    );
  map.getCanvas().setAttribute('role', 'region');
  map.on('error', (e) => {
    // Missing tiles or glyphs of the base map must not hide the places: logged, never thrown.
    console.warn('carte :', e?.error?.message ?? e);
  });
  const popup = new maplibregl.Popup({ closeButton: true, maxWidth: '280px' });

  map.on('load', async () => {
    if (base.fallback && el.dataset.contours) {
      try {
        map.addSource('communes', { type: 'geojson', data: await json(el.dataset.contours, 20000) });
        map.addLayer({
          id: 'communes',
          type: 'line',
          source: 'communes',
          paint: { 'line-color': '#929292', 'line-width': 0.5 },
        });
      } catch {
        // no outlines: the points still show
      }
    }
    map.addSource('lieux', { type: 'geojson', data, cluster: true, clusterRadius: 40, clusterMaxZoom: 12 });
    map.addLayer({
      id: 'lieux-groupes',
      type: 'circle',
      source: 'lieux',
      filter: ['has', 'point_count'],
      paint: {
        'circle-color': '#000091',
        'circle-opacity': 0.85,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
        'circle-radius': ['step', ['get', 'point_count'], 12, 10, 16, 50, 22, 200, 28],
      },
    });
    if (base.glyphs)
      map.addLayer({
        id: 'lieux-nombres',
        type: 'symbol',
        source: 'lieux',
        filter: ['has', 'point_count'],
        layout: { 'text-field': ['get', 'point_count_abbreviated'], 'text-size': 12 },
        paint: { 'text-color': '#ffffff' },
      });
    map.addLayer({
      id: 'lieux-points',
      type: 'circle',
      source: 'lieux',
      filter: ['!', ['has', 'point_count']],
      paint: {
        'circle-color': '#e1000f',
        'circle-radius': 6,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1.5,
      },
    });
    el.dataset.lieux = String(data.features.length);
    el.dataset.etat = 'prete';
  });

  const openFeature = async (f) => {
    if (f.properties.cluster) {
      const zoom = await map.getSource('lieux').getClusterExpansionZoom(f.properties.cluster_id);
      map.easeTo({ center: f.geometry.coordinates, zoom });
      return;
    }
    popup.setLngLat(f.geometry.coordinates).setDOMContent(popupContent(el, f.properties)).addTo(map);
  };
  for (const layer of ['lieux-groupes', 'lieux-points']) {
    map.on('click', layer, (e) => e.features?.[0] && openFeature(e.features[0]));
    map.on('mouseenter', layer, () => {
      map.getCanvas().style.cursor = 'pointer';
    });
    map.on('mouseleave', layer, () => {
      map.getCanvas().style.cursor = '';
    });
  }
  map.getCanvas().addEventListener('keydown', (e) => {
    if (e.key === 'Escape') popup.remove();
    if (e.key !== 'Enter') return;
    const c = map.project(map.getCenter());
    const near = map.queryRenderedFeatures(
      [
        [c.x - 30, c.y - 30],
        [c.x + 30, c.y + 30],
      ],
      { layers: ['lieux-groupes', 'lieux-points'] },
    );
    if (!near.length) return;
    const d = (f) => {
      const p = map.project(f.geometry.coordinates);
      return (p.x - c.x) ** 2 + (p.y - c.y) ** 2;
    };
    near.sort((a, b) => d(a) - d(b));
    e.preventDefault();
    openFeature(near[0]);
  });
}

for (const el of document.querySelectorAll('[data-carte]'))
  start(el).catch((e) => {
    // The list below stays the way to the places.
    el.hidden = true;
    console.warn('carte indisponible :', e);
  });
