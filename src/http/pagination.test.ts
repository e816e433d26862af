import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PageNumberSchema, pageHref, pagerOf, pageWindow, pagination, rangeLabel } from './pagination.ts';

test('a page past the end is the last page; page sizes and offsets follow', () => {
  assert.deepEqual(pagerOf(698, 2, 100), { page: 2, perPage: 100, total: 698, pages: 7, offset: 100 });
  assert.equal(pagerOf(698, 99, 100).page, 7);
  assert.equal(pagerOf(0, 3, 100).page, 1);
  assert.equal(rangeLabel(pagerOf(698, 7, 100)), 'lignes 601 à 698 sur 698');
  assert.equal(rangeLabel(pagerOf(42, 1, 100)), '42 lignes');
});

test('page links keep the other parameters and drop page=1', () => {
  assert.equal(
    pageHref('/territoires/region/27?page_epci=2&page=3', 'page', 4, 'communes'),
    '/territoires/region/27?page_epci=2&page=4#communes',
  );
  assert.equal(pageHref('/territoires/region/27?page=3', 'page', 1), '/territoires/region/27');
  assert.equal(pageHref('/x?q=a+b&page=2#old', 'page', 3), '/x?q=a+b&page=3');
});

test('the page window shows first, last and neighbours, with a gap only where pages are skipped', () => {
  assert.deepEqual(pageWindow(1, 7), [1, 2, null, 7]);
  assert.deepEqual(pageWindow(4, 7), [1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(pageWindow(5, 12), [1, null, 4, 5, 6, null, 12]);
  assert.deepEqual(pageWindow(1, 1), [1]);
});

test('the component: nothing for one page; the current page is not a link; ends are disabled links', () => {
  assert.equal(pagination(pagerOf(50, 1, 100), (n) => `?page=${n}`, 'communes').value, '');
  const out = pagination(pagerOf(698, 1, 100), (n) => `?page=${n}`, 'communes').value;
  assert.match(out, /aria-label="Pagination : communes"/);
  assert.match(out, /<a class="fr-pagination__link" aria-current="page" title="Page 1">1<\/a>/);
  assert.match(out, /fr-pagination__link--first" aria-disabled="true" role="link">Première page/);
  assert.match(out, /href="\?page=7"[^>]*>Dernière page|fr-pagination__link--last" href="\?page=7"/);
});

test('page numbers from the query string are validated with French messages', () => {
  assert.equal(PageNumberSchema.parse(undefined), 1);
  assert.equal(PageNumberSchema.parse('3'), 3);
  for (const bad of ['0', '-1', 'abc', '1.5', '1000000'])
    assert.equal(PageNumberSchema.safeParse(bad).success, false, bad);
  assert.match(PageNumberSchema.safeParse('0').error!.issues[0]!.message, /à partir de 1/);
});
