import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fmtInt, html, jsonForScript, raw } from './html.ts';

test('html escapes interpolated strings but not nested Html', () => {
  const hostile = '<script>alert("x")</script>&\'';
  const out = html`<p title="${hostile}">${hostile}${raw('<b>ok</b>')}${[html`<i>${'a<b'}</i>`]}</p>`.value;
  assert.ok(!out.includes('<script>'));
  assert.ok(out.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;'));
  assert.ok(out.includes('<b>ok</b><i>a&lt;b</i>'));
});

test('jsonForScript cannot close its script element', () => {
  assert.ok(!jsonForScript({ s: '</script><script>' }).value.includes('</script>'));
});

test('fmtInt uses French grouping', () => {
  assert.match(fmtInt(2644000), /^2\s644\s000$/);
  assert.equal(fmtInt(null), '—');
});
