import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMPTY_ALLOWLIST, isAllowed, isBlockedAddress, parseAllowList } from './net-guard.ts';

test('internal, reserved and metadata addresses are refused, in every notation', () => {
  const blocked = [
    '127.0.0.1',
    '127.255.255.254',
    '0.0.0.0',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.255',
    '224.0.0.1',
    '239.255.255.250',
    '255.255.255.255',
    '240.0.0.1',
    '::',
    '::1',
    '[::1]',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd00:ec2::254',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '[::ffff:7f00:1]',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '::127.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:7f00:1::1',
    '2002:c0a8:101::',
    'localhost',
    '',
    'not-an-address',
  ];
  for (const a of blocked) assert.equal(isBlockedAddress(a), true, a);
});

test('public addresses are allowed', () => {
  for (const a of [
    '8.8.8.8',
    '1.1.1.1',
    '100.63.255.255',
    '100.128.0.0',
    '172.32.0.1',
    '193.51.24.1',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '2a01:e0a::1',
  ]) {
    assert.equal(isBlockedAddress(a), false, a);
  }
});

test('URL parsing turns odd IPv4 notations into the loopback address before the check', () => {
  for (const u of ['http://0x7f000001/', 'http://2130706433/', 'http://127.1/', 'http://0177.0.0.1/', 'http://0/']) {
    const host = new URL(u).hostname;
    assert.equal(isBlockedAddress(host), true, `${u} → ${host}`);
  }
});

test('the allow-list opens named hosts and ranges, nothing else', () => {
  const allow = parseAllowList('donnees.intranet.region.fr, 10.20.0.0/16 fd12::/16');
  assert.equal(isAllowed('donnees.intranet.region.fr', '10.99.0.1', allow), true);
  assert.equal(isAllowed('DONNEES.intranet.region.fr', '10.99.0.1', allow), true);
  assert.equal(isAllowed('autre.intranet.region.fr', '10.20.5.5', allow), true);
  assert.equal(isAllowed('autre.intranet.region.fr', '10.21.5.5', allow), false);
  assert.equal(isAllowed('x', 'fd12::5', allow), true);
  assert.equal(isAllowed('x', '127.0.0.1', allow), false);
  assert.equal(isAllowed('x', '127.0.0.1', EMPTY_ALLOWLIST), false);
  assert.equal(isAllowed('x', '8.8.8.8', EMPTY_ALLOWLIST), true);
  assert.throws(() => parseAllowList('10.0.0.0/33'), /préfixe/);
  assert.throws(() => parseAllowList('http://x/'), /ni un nom/);
});
