import { expect } from 'chai';
import { isPublicAddress, refusalOf } from '../../src/webhooks/address-guard';

/** Each address with the reason it is refused for. */
const REFUSED: Array<[ip: string, reason: string]> = [
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['10.0.0.5', 'private'],
  ['10.255.255.255', 'private'],
  ['100.64.0.1', 'shared'],
  ['100.127.255.254', 'shared'],
  ['127.0.0.1', 'loopback'],
  ['127.255.0.9', 'loopback'],
  ['169.254.169.254', 'metadata'],
  ['169.254.1.1', 'link-local'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.0.0.8', 'reserved'],
  ['192.0.2.10', 'reserved'],
  ['192.168.1.1', 'private'],
  ['198.18.0.1', 'reserved'],
  ['198.19.255.255', 'reserved'],
  ['198.51.100.7', 'reserved'],
  ['203.0.113.99', 'reserved'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'reserved'],
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456::1', 'unique-local'],
  ['fd00:ec2::254', 'metadata'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf::1', 'link-local'],
  ['ff02::1', 'multicast'],
  ['2001:db8::1', 'reserved'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:a9fe:a9fe', 'metadata'],
  ['64:ff9b::127.0.0.1', 'loopback'],
  ['64:ff9b::a9fe:a9fe', 'metadata'],
  ['64:ff9b::c0a8:101', 'private'],
  ['2002:7f00:1::', 'loopback'],
  ['::127.0.0.1', 'reserved'],
  ['fec0::1', 'reserved'],
];

const ALLOWED = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.216.34',
  '172.32.0.1',
  '100.128.0.1',
  '192.169.0.1',
  '2606:4700:4700::1111',
  '2a00:1450:4001:82b::200e',
  '::ffff:8.8.8.8',
  '::ffff:808:808',
  '64:ff9b::1.1.1.1',
];

const INVALID = [
  '',
  'localhost',
  '127.1',
  '256.0.0.1',
  '1.2.3.4.5',
  '[::1]',
  ' 8.8.8.8',
  '::ffff::1',
  'fe80::zz',
];

describe('webhooks/address-guard', () => {
  describe('refused addresses', () => {
    for (const [ip, reason] of REFUSED) {
      it(`when the address is ${ip}, then it is refused as ${reason}`, () => {
        expect(refusalOf(ip)).to.equal(reason);
        expect(isPublicAddress(ip)).to.equal(false);
      });
    }
  });

  describe('public addresses', () => {
    for (const ip of ALLOWED) {
      it(`when the address is ${ip}, then it is public`, () => {
        expect(refusalOf(ip)).to.equal(undefined);
        expect(isPublicAddress(ip)).to.equal(true);
      });
    }
  });

  describe('text that is not an IP address', () => {
    for (const text of INVALID) {
      it(`when given ${JSON.stringify(text)}, then it is refused as invalid`, () => {
        expect(refusalOf(text)).to.equal('invalid');
        expect(isPublicAddress(text)).to.equal(false);
      });
    }
  });
});
