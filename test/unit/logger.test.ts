import { Writable } from 'node:stream';
import { expect } from 'chai';
import { createLogger } from '../../src/logger';

describe('logger', () => {
  const capture = () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    return { lines, logger: createLogger({ level: 'debug', stream }) };
  };

  it('writes one JSON object per line with level, message, timestamp and meta', () => {
    const { lines, logger } = capture();
    logger.child({ module: 'test' }).info('hello', { n: 1 });
    const line = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(line).to.include({ level: 'info', message: 'hello', module: 'test', n: 1 });
    expect(line['timestamp']).to.be.a('string');
  });

  it('redacts secret-looking keys at any depth', () => {
    const { lines, logger } = capture();
    logger.info('secrets', {
      password: 'ClueCon',
      api_key: 'k'.repeat(64),
      nested: {
        auth_token: 't'.repeat(64),
        headers: { 'x-auth-token': 'x'.repeat(10), Authorization: 'Bearer y' },
      },
    });
    expect(lines.join('')).to.not.match(/ClueCon|kkkk|tttt|xxxx|Bearer y/);
    expect(lines.join('')).to.include('[redacted]');
  });

  it('honours the level', () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ level: 'warn', stream });
    logger.info('quiet');
    logger.warn('loud');
    expect(lines).to.have.length(1);
  });
});
